{#-
    Microseconds since 1970-01-01 of a UTC timestamp, as a bigint: the exact unit
    every gap comparison and derived session id uses (no truncation to minutes).
-#}
{% macro epoch_microseconds(timestamp_expression) -%}
    {{ return(adapter.dispatch('epoch_microseconds', 'rudderstack_sessions')(timestamp_expression)) }}
{%- endmacro %}

{% macro default__epoch_microseconds(timestamp_expression) -%}
    cast(extract(epoch from {{ timestamp_expression }}) * 1000000 as bigint)
{%- endmacro %}

{% macro duckdb__epoch_microseconds(timestamp_expression) -%}
    epoch_us({{ timestamp_expression }})
{%- endmacro %}

{% macro spark__epoch_microseconds(timestamp_expression) -%}
    unix_micros({{ timestamp_expression }})
{%- endmacro %}
