{#-
    A SQL string literal holding `value`, for values that come from vars or are
    rendered by the project (JSON): quotes doubled; on Spark, whose string literals
    treat a backslash as an escape, backslashes and quotes escaped instead.
-#}
{% macro sql_string(value) -%}
    {{ return(adapter.dispatch('sql_string', 'rudderstack_sessions')(value)) }}
{%- endmacro %}

{% macro default__sql_string(value) -%}
    '{{ value | string | replace("'", "''") }}'
{%- endmacro %}

{% macro spark__sql_string(value) -%}
    '{{ value | string | replace("\\", "\\\\") | replace("'", "\\'") }}'
{%- endmacro %}
