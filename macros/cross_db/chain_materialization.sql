{#-
    Materialization of the views inside the sessionization chain (int_events_deduplicated,
    int_events_sessionized). DuckDB and PostgreSQL inline a view into the query that reads
    it at no cost. Spark plans every reference to every view again, all the way down to
    the raw tables: fct_events' plan grew to 600 scans and took longer to plan than to run
    on small data. On Spark they are tables, written once per run.
-#}
{% macro rudderstack_chain_materialization() -%}
    {{ return('table' if rudderstack_is_spark() else 'view') }}
{%- endmacro %}
