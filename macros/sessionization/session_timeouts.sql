{#-
    The cohort -> timeout rule, in one place.

    session_timeouts(): var('session_timeout_minutes') (or the mapping given),
    validated at compile time, as cohort -> timeout in whole microseconds.
    cohort_timeout_microseconds(cohort): the SQL expression giving a row's timeout;
    a cohort without a key of its own, and a NULL cohort, get the `default` timeout.
-#}
{% macro session_timeouts(timeouts=none) -%}
    {%- set timeouts = var('session_timeout_minutes') if timeouts is none else timeouts -%}
    {%- set example = "--vars '{session_timeout_minutes: {web: 30, mobile: 5, server: 30, default: 30}}'" -%}
    {%- if timeouts is not mapping -%}
        {{ exceptions.raise_compiler_error(
            "var 'session_timeout_minutes' must map cohort names to minutes, got '" ~ timeouts
            ~ "'. Example of a valid value: " ~ example
        ) }}
    {%- endif -%}
    {%- if 'default' not in timeouts -%}
        {{ exceptions.raise_compiler_error(
            "var 'session_timeout_minutes' has no 'default' key (got " ~ timeouts ~ "): it is the timeout of"
            ~ " every cohort without a key of its own. Example of a valid value: " ~ example
        ) }}
    {%- endif -%}
    {%- set microseconds = {} -%}
    {%- for cohort, minutes in timeouts.items() -%}
        {%- if minutes is boolean or minutes is not number or minutes <= 0 -%}
            {{ exceptions.raise_compiler_error(
                "var 'session_timeout_minutes': the timeout of cohort '" ~ cohort ~ "' must be a positive number"
                ~ " of minutes, got '" ~ minutes ~ "'. Example of a valid value: " ~ example
            ) }}
        {%- endif -%}
        {%- do microseconds.update({cohort | string: (minutes * 60 * 1000000) | round | int}) -%}
    {%- endfor -%}
    {{ return(microseconds) }}
{%- endmacro %}


{% macro cohort_timeout_microseconds(cohort_expression, timeouts=none) -%}
    {%- set microseconds = rudderstack_sessions.session_timeouts(timeouts) -%}
    {%- if cohort_expression is none or microseconds | length == 1 -%}
        cast({{ microseconds['default'] }} as {{ dbt.type_bigint() }})
    {%- else -%}
        cast(case {{ cohort_expression }}
            {%- for cohort, value in microseconds.items() if cohort != 'default' %}
            when {{ sql_string(cohort) }} then {{ value }}
            {%- endfor %}
            else {{ microseconds['default'] }}
        end as {{ dbt.type_bigint() }})
    {%- endif -%}
{%- endmacro %}


{#-
    var('sessionization_cohort') as a SQL expression over the staged event columns,
    normalised to text; a NULL cohort is 'default'.
-#}
{% macro event_cohort() -%}
    {%- set expression = var('sessionization_cohort') -%}
    {%- if expression is not string or expression | trim == '' -%}
        {{ exceptions.raise_compiler_error(
            "var 'sessionization_cohort' must be a SQL expression over the staged event columns, got '"
            ~ expression ~ "'. Example: --vars '{sessionization_cohort: \"coalesce(os_name, channel)\"}'"
        ) }}
    {%- endif -%}
    coalesce(cast(({{ expression }}) as {{ dbt.type_string() }}), 'default')
{%- endmacro %}
