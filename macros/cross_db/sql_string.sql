{#- A SQL string literal holding `value` (quotes doubled), for values that come from vars. -#}
{% macro sql_string(value) -%}
    '{{ value | string | replace("'", "''") }}'
{%- endmacro %}
