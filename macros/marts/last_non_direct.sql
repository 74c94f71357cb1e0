{#- Var rudderstack_attribution_lookback_days, validated (a positive number), in whole microseconds. -#}
{% macro rudderstack_attribution_lookback_microseconds() -%}
    {%- set days = rudderstack_sessions.rudderstack_positive_number_var('rudderstack_attribution_lookback_days', 'days',
        "--vars '{rudderstack_attribution_lookback_days: 90}'") -%}
    {{ return((days * 86400 * 1000000) | round | int) }}
{%- endmacro %}
