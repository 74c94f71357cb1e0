-- The package's gap rule on the host's model, with the package's timeouts (the vars scoped
-- to rudderstack_sessions in dbt_project.yml), one timeout per cohort.
{{ rudderstack_sessions.sessionize_by_gap(ref('host_events'), partition_by='actor_id', cohort='cohort') }}
