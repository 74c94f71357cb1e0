{#- Var rudderstack_attribution_lookback_days, validated (a positive number), in whole microseconds. -#}
{% macro rudderstack_attribution_lookback_microseconds() -%}
    {%- set value = var('rudderstack_attribution_lookback_days') -%}
    {%- if value is boolean or value is not number or value <= 0 -%}
        {{ exceptions.raise_compiler_error(
            "var 'rudderstack_attribution_lookback_days' must be a positive number of days, got '"
            ~ value ~ "'. Example: --vars '{rudderstack_attribution_lookback_days: 90}'"
        ) }}
    {%- endif -%}
    {{ return((value * 86400 * 1000000) | round | int) }}
{%- endmacro %}
