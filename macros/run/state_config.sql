{#-
    What made the stored rows (docs/sessionization.md, "State knows what made it").

    Every var and seed that shapes a stored row, as one mapping of plain values (already
    validated and normalised, so that `5` and `5.0` minutes are the same setting).
    state_runs keeps it with each run; int_run_window compares the stored mapping with
    this run's before anything is written.
    Vars that shape no stored row are left out: funnels (their marts are rebuilt every
    run), rudderstack_lookback_minutes, rudderstack_allow_partial_runs.
-#}
{% macro rudderstack_state_settings() -%}
    {%- set channel_groups = [] -%}
    {%- for node in graph.nodes.values()
        if node.resource_type == 'seed' and node.package_name == 'rudderstack_sessions'
        and node.name == 'channel_groups' -%}
        {%- do channel_groups.append(node.checksum.checksum) -%}
    {%- endfor -%}
    {%- set tables = {} -%}
    {%- for table_key in ['tracks', 'pages', 'screens', 'identifies'] -%}
        {%- set located = [] -%}
        {%- for name, relation in rudderstack_sessions.rudderstack_source_relations(table_key) -%}
            {%- do located.append(name ~ ': ' ~ [relation.database, relation.schema, relation.identifier] | join('.')) -%}
        {%- endfor -%}
        {%- do tables.update({table_key: located}) -%}
    {%- endfor -%}
    {%- set config = {
        'state_version': 8,
        'rudderstack_tables': tables,
        'event_passthrough_columns': rudderstack_sessions.rudderstack_passthrough_columns(),
        'sessionization_cohort': var('sessionization_cohort') | trim,
        'session_timeout_minutes': rudderstack_sessions.session_timeouts(),
        'max_session_duration_hours': rudderstack_sessions.max_session_duration_hours_setting(),
        'session_engagement': rudderstack_sessions.rudderstack_engagement_setting(),
        'channel_groups seed': channel_groups[0] if channel_groups else none,
    } -%}
    {%- if rudderstack_sessions.rudderstack_is_spark() -%}
        {%- do config.update({'spark_file_format': rudderstack_sessions.rudderstack_spark_file_format()}) -%}
    {%- endif -%}
    {{ return(config) }}
{%- endmacro %}


{#- The settings that differ between two state configs, described for a person. -#}
{% macro rudderstack_config_changes(stored, current) -%}
    {%- set changes = [] -%}
    {%- for key in (stored.keys() | list + current.keys() | list) | unique | sort -%}
        {%- set before, after = stored.get(key), current.get(key) -%}
        {%- if tojson(before, sort_keys=true) != tojson(after, sort_keys=true) -%}
            {%- if key == 'state_version' -%}
                {%- do changes.append("the stored state was written by another version of this project") -%}
            {%- elif key == 'channel_groups seed' -%}
                {%- do changes.append("seed channel_groups changed") -%}
            {%- elif key == 'spark_file_format' -%}
                {%- do changes.append("the model config file_format was " ~ tojson(before) ~ ", is now "
                    ~ tojson(after)) -%}
            {%- elif key == 'rudderstack_tables' -%}
                {%- do changes.append("the raw tables moved (vars rudderstack_sources, rudderstack_database,"
                    ~ " rudderstack_schema, rudderstack_*_table) from " ~ tojson(before, sort_keys=true) ~ " to "
                    ~ tojson(after, sort_keys=true)) -%}
            {%- else -%}
                {%- do changes.append("var '" ~ key ~ "' was " ~ tojson(before, sort_keys=true) ~ ", is now "
                    ~ tojson(after, sort_keys=true)) -%}
            {%- endif -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(changes) }}
{%- endmacro %}


{#- var session_engagement, normalised: the same thresholds always compare equal. -#}
{% macro rudderstack_engagement_setting() -%}
    {%- set engagement = rudderstack_sessions.session_engagement() -%}
    {{ return({
        'min_duration_microseconds': (engagement.min_duration_seconds * 1000000) | round | int,
        'min_views': engagement.min_views | float,
        'events': engagement.events | map('string') | unique | sort | list,
    }) }}
{%- endmacro %}


{#- var max_session_duration_hours, normalised: hours as a float (24 and 24.0 are one setting), or none. -#}
{% macro max_session_duration_hours_setting() -%}
    {%- set microseconds = rudderstack_sessions.max_session_duration_microseconds() -%}
    {{ return(none if microseconds is none else microseconds / 3600000000) }}
{%- endmacro %}
