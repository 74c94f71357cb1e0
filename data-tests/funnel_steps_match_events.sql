{#-
    Warns (never fails) when a step of var 'rudderstack_funnels' matches no event in fct_events: a
    misspelt event name, or a page path never visited, would otherwise show as a funnel
    that nobody gets past, without a word. One row per such step; one scan of the events
    covers every step (a max per step).
-#}
{{ config(severity='warn') }}
{%- set steps = [] %}
{%- for funnel in rudderstack_funnels() %}
{%- for step in funnel.steps %}
{%- do steps.append({'funnel': funnel.name, 'number': loop.index, 'step': step}) %}
{%- endfor %}
{%- endfor %}

with matched as (

    select
        {%- for step in steps %}
        max(case when {{ rudderstack_funnel_step_matches(step.step) }} then 1 else 0 end) as step_{{ loop.index }},
        {%- endfor %}
        {#- A column whatever the steps: the select list is never empty. #}
        count(*) as event_count
    from {{ ref('fct_events') }}

),

steps as (

    {%- for step in steps %}
    select
        {{ sql_string(step.funnel) }} as funnel_name,
        {{ step.number }} as step_number,
        {{ sql_string(step.step.name) }} as step_name,
        coalesce(matched.step_{{ loop.index }}, 0) as is_matched
    from matched
    union all
    {%- endfor %}
    {#- A matched placeholder that closes the union (and is the whole of it without funnels). #}
    select
        cast(null as {{ dbt.type_string() }}) as funnel_name,
        0 as step_number,
        cast(null as {{ dbt.type_string() }}) as step_name,
        1 as is_matched
    from matched

)

select
    funnel_name,
    step_number,
    step_name
from steps
where is_matched = 0
