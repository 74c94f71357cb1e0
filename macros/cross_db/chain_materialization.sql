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
