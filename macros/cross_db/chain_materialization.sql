{#-
    Materialization of the views that hold a run's window (int_events_arrived,
    int_event_deliveries, int_events_deduplicated). DuckDB and PostgreSQL inline a view
    into the query that reads it at no cost, and push the window's filters down to the
    raw scans. Spark plans every reference to every view again, all the way down to the
    raw tables (a plan of hundreds of scans, longer to plan than to run on small data):
    on Spark they are tables, written once per run.
-#}
{% macro rudderstack_chain_materialization() -%}
    {{ return('table' if rudderstack_is_spark() else 'view') }}
{%- endmacro %}



{#-
    Materialization of int_events_deduplicated, the events state_events sessionizes: a view
    where rudderstack_chain_materialization gives one, except for a DuckDB full build too
    large to sessionize in one sort, where it is a table. state_events then sessionizes it
    in slices of actors (macros/state/actor_slices.sql), each slice a scan of this table,
    not a new pass over the raw tables and their deduplication. A table costs its write:
    at 10M events 28.6 s, against 55.2 s for deduplicating and sessionizing in one
    statement over the view (its sort held in memory) and 42.6 s to sessionize from the
    table; so a build that fits in one slice keeps the view. The rows of the run's window
    (int_events_arrived) decide.
-#}
{% materialization rudderstack_received, default -%}
    {%- set kind = rudderstack_received_kind() -%}
    {%- set search_name = 'materialization_' ~ kind ~ '_' ~ adapter.type() -%}
    {%- if search_name not in context -%}
        {%- set search_name = 'materialization_' ~ kind ~ '_default' -%}
    {%- endif -%}
    {#- dbt's own clone materialization reuses another the same way. -#}
    {{ return(context[search_name]()) }}
{%- endmaterialization %}


{% macro rudderstack_received_kind() -%}
    {%- set chain = rudderstack_chain_materialization() -%}
    {%- if chain == 'view' and rudderstack_full_build_slices().slices > 1 -%}
        {{ return('table') }}
    {%- endif -%}
    {{ return(chain) }}
{%- endmacro %}
