{#-
    The cohort -> timeout rule, in one place.

    session_timeouts(): var('session_timeout_minutes') as this package's models see it (or
    the mapping given),
    validated at compile time, as cohort -> timeout in whole microseconds.
    cohort_timeout_microseconds(cohort): the SQL expression giving a row's timeout;
    a cohort without a key of its own, and a NULL cohort, get the `default` timeout.
-#}
{% macro session_timeouts(timeouts=none) -%}
    {%- set timeouts = rudderstack_sessions.session_timeout_setting() if timeouts is none else timeouts -%}
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


{#-
    var('session_timeout_minutes') as the package's own models see it. dbt resolves a var
    for the node being built: a host's model calling these macros sees the host's vars, not
    the package's defaults nor the vars the host scoped to the package. So a host's model
    reads the package's value from the graph, where int_run_window's properties carry it
    (meta session_timeout_minutes, models/intermediate/run/_run__models.yml). While dbt
    parses, dbt reads a model's refs and configs, never its SQL: any valid mapping does
    (one minute, so that it is not mistaken for a default).
-#}
{% macro session_timeout_setting() -%}
    {%- if model is mapping and model.get('package_name') not in [none, 'rudderstack_sessions'] -%}
        {%- if not execute -%}
            {{ return({'default': 1}) }}
        {%- endif -%}
        {%- set carrier = graph.nodes.get('model.rudderstack_sessions.int_run_window') -%}
        {%- if carrier is none -%}
            {{ exceptions.raise_compiler_error(
                "rudderstack_sessions.sessionize_by_gap needs the package's model int_run_window (enabled)"
                ~ " to read the package's session_timeout_minutes, or a `timeouts=` argument, for example"
                ~ " timeouts={'default': 30}"
            ) }}
        {%- endif -%}
        {%- set carried = carrier.config.meta.session_timeout_minutes -%}
        {{ return(fromjson(carried) if carried is string else carried) }}
    {%- endif -%}
    {{ return(var('session_timeout_minutes')) }}
{%- endmacro %}


{#- The gap timeout, in microseconds, of the cohort an expression gives (a CASE over the cohorts of session_timeout_minutes, else the default). -#}
{% macro cohort_timeout_microseconds(cohort_expression, timeouts=none) -%}
    {%- set microseconds = rudderstack_sessions.session_timeouts(timeouts) -%}
    {%- if cohort_expression is none or microseconds | length == 1 -%}
        cast({{ microseconds['default'] }} as {{ dbt.type_bigint() }})
    {%- else -%}
        cast(case {{ cohort_expression }}
            {%- for cohort, value in microseconds.items() if cohort != 'default' %}
            when {{ rudderstack_sessions.sql_string(cohort) }} then {{ value }}
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
