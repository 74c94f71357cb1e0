{#-
    Exact decimal results, the same on every engine. Division and percentile functions
    go through floating point on some engines (DuckDB's `/`, percentile_cont), whose
    rounding to 6 decimals then differs from PostgreSQL's in the last digit; these
    helpers keep to integers until one exact final step.
-#}

{#- A whole number of microseconds (bigint) as seconds, numeric with 6 decimals. -#}
{% macro seconds_from_microseconds(microseconds_expression) -%}
    cast(cast({{ microseconds_expression }} as {{ dbt.type_numeric() }}) / 1000000 as {{ dbt.type_numeric() }})
{%- endmacro %}


{#-
    numerator / denominator for non-negative integers, rounded down to 6 decimals;
    NULL when the denominator is 0 or NULL.
-#}
{% macro ratio_6_decimals(numerator, denominator) -%}
    {#- The outer cast keeps the scale: PostgreSQL's CASE would drop it. -#}
    cast(case
        when {{ denominator }} > 0
            then {{ rudderstack_sessions.seconds_from_microseconds(
                'cast((' ~ numerator ~ ' * 1000000 - mod(' ~ numerator ~ ' * 1000000, ' ~ denominator ~ ')) / '
                ~ denominator ~ ' as ' ~ dbt.type_bigint() ~ ')'
            ) }}
    end as {{ dbt.type_numeric() }})
{%- endmacro %}
