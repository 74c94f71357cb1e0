{#-
    A text expression compared byte by byte, whatever the database's collation: the
    same order on every engine. DuckDB and Spark compare text in binary by default;
    PostgreSQL uses the database's collation (often en_US), so it gets "C".
    Every tie-break on text (event ids, dedup) goes through here.
-#}
{% macro binary_collation(text_expression) -%}
    {{ return(adapter.dispatch('binary_collation', 'rudderstack_sessions')(text_expression)) }}
{%- endmacro %}

{% macro default__binary_collation(text_expression) -%}
    {{ text_expression }}
{%- endmacro %}

{% macro postgres__binary_collation(text_expression) -%}
    {{ text_expression }} collate "C"
{%- endmacro %}
