{#-
    Warns (never fails) when a key of var 'session_timeout_minutes' other than `default`
    is a cohort that no event has: a misspelt cohort (`Buyer` for `buyer`), or a cohort
    rule that never gives it, would otherwise leave those events on the default timeout
    without a word. One row per such key; one scan of the events covers every key (a max
    per key).
-#}
{{ config(severity='warn') }}
{%- set cohorts = session_timeouts().keys() | reject('equalto', 'default') | sort %}

with matched as (

    select
        {%- for cohort in cohorts %}
        max(case when cohort = {{ sql_string(cohort) }} then 1 else 0 end) as cohort_{{ loop.index }},
        {%- endfor %}
        {#- A column whatever the keys: the select list is never empty. #}
        count(*) as event_count
    from {{ ref('fct_events') }}

),

timeout_keys as (

    {%- for cohort in cohorts %}
    select
        {{ sql_string(cohort) }} as cohort,
        coalesce(matched.cohort_{{ loop.index }}, 0) as is_matched
    from matched
    union all
    {%- endfor %}
    {#- A matched placeholder that closes the union (and is the whole of it with `default` alone). #}
    select
        cast(null as {{ dbt.type_string() }}) as cohort,
        1 as is_matched
    from matched

)

select cohort
from timeout_keys
where is_matched = 0
