{#-
    The median of a numeric expression (interpolated between the middle two), as numeric.
    Through a double: PostgreSQL's percentile_cont takes no numeric (and dbt's type_float
    is a 4-byte float on DuckDB, too coarse for microseconds).
-#}
{% macro median(expression) -%}
    {{ return(adapter.dispatch('median', 'rudderstack_sessions')(expression)) }}
{%- endmacro %}

{% macro default__median(expression) -%}
    cast(percentile_cont(0.5) within group (order by cast({{ expression }} as double precision)) as {{ dbt.type_numeric() }})
{%- endmacro %}
