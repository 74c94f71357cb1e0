{#-
    The anonymous ids whose observations of a user (state_identity_links) changed in the
    run numbered `run_number` (docs/sessionization.md, "Sessions", stitching): those of the
    events state_events rewrote with a changed observation, before and after, and those of
    the identify calls state_identifies stored. state_identity_runs rebuilds their runs;
    state_sessions stitches their stored sessions again. Every anonymous id with a link on
    a full build, where every row is new.
-#}
{% macro rudderstack_identity_changed_anonymous_ids(run_number) -%}
    select anonymous_id from {{ ref('state_events') }}
    where written_in_run = {{ run_number }} and identity_changed and anonymous_id is not null
    union
    select known_anonymous_id from {{ ref('state_events') }}
    where written_in_run = {{ run_number }} and identity_changed and known_anonymous_id is not null
    union
    select anonymous_id from {{ ref('state_identifies') }}
    where written_in_run = {{ run_number }} and anonymous_id is not null
{%- endmacro %}


{#- The stored rows of state_identity_runs a run replaces: every run of a changed anonymous id. -#}
{% macro rudderstack_identity_runs_replaced() -%}
    {%- set window = rudderstack_sessions.rudderstack_run_window() -%}
    {%- set condition -%}
        exists (
            select 1 from ({{ rudderstack_sessions.rudderstack_identity_changed_anonymous_ids(window.run_number) }}) as changed
            where changed.anonymous_id = stored.anonymous_id
        )
    {%- endset -%}
    {{ return(condition) }}
{%- endmacro %}
