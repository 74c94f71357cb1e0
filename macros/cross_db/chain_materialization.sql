{#-
    Materialization of the views that hold a run's window (int_events_arrived,
    int_event_deliveries, int_events_deduplicated). DuckDB and PostgreSQL inline a view
    into the query that reads it at no cost, and push the window's filters down to the
    raw scans. Spark plans every reference to every view again, all the way down to the
    raw tables (a plan of hundreds of scans, longer to plan than to run on small data):
    on Spark they are tables, written once per run.
-#}
{% macro rudderstack_chain_materialization() -%}
    {{ return('table' if rudderstack_sessions.rudderstack_is_spark() else 'view') }}
{%- endmacro %}


{#-
    Materialization of int_events_deduplicated, the events state_events sessionizes: a view
    where rudderstack_chain_materialization gives one, except for a DuckDB full build that
    sessionizes in slices of actors (rudderstack_full_build_slices), where it is a table:
    each slice then scans it instead of passing over the raw tables and their
    deduplication again. A build that fits in one slice keeps the view, which costs no
    write (the figures: docs/decisions/0009-full-builds-in-slices.md).
-#}
{% materialization rudderstack_received, default -%}
    {%- set kind = rudderstack_sessions.rudderstack_received_kind() -%}
    {%- set search_name = 'materialization_' ~ kind ~ '_' ~ adapter.type() -%}
    {%- if search_name not in context -%}
        {%- set search_name = 'materialization_' ~ kind ~ '_default' -%}
    {%- endif -%}
    {#- dbt's own clone materialization reuses another the same way. -#}
    {{ return(context[search_name]()) }}
{%- endmaterialization %}


{#- The materialization of the models that hold a run's received rows: the chain's, but a table when a full build runs in slices (each slice reads it again). -#}
{% macro rudderstack_received_kind() -%}
    {%- set chain = rudderstack_sessions.rudderstack_chain_materialization() -%}
    {%- if chain == 'view' and rudderstack_sessions.rudderstack_full_build_slices().slices > 1 -%}
        {{ return('table') }}
    {%- endif -%}
    {{ return(chain) }}
{%- endmacro %}
