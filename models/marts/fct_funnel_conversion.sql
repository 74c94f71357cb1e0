{#-
    Conversion per funnel and step: overall (split_by 'all'), by the day of step 1
    ('first_step_date') and by the cohort of the step-1 event ('cohort'). Every step of
    every funnel has a row in each split, reached by anyone or not.
-#}
{%- set funnels = rudderstack_funnels() %}

with steps as (

    select * from {{ ref('fct_funnel_steps') }}

),

funnel_step_names as (

    {#- Every configured step, from var 'rudderstack_funnels'. #}
    {%- for funnel in funnels %}
    {%- set funnel_loop = loop %}
    {%- for step in funnel.steps %}
    select
        cast({{ sql_string(funnel.name) }} as {{ dbt.type_string() }}) as funnel_name,
        cast({{ loop.index }} as {{ dbt.type_int() }}) as step_index,
        cast({{ sql_string(step.name) }} as {{ dbt.type_string() }}) as step_name
    {%- if not (loop.last and funnel_loop.last) %}
    union all
    {%- endif %}
    {%- endfor %}
    {%- else %}
    select
        cast(null as {{ dbt.type_string() }}) as funnel_name,
        cast(null as {{ dbt.type_int() }}) as step_index,
        cast(null as {{ dbt.type_string() }}) as step_name
    from steps
    where 1 = 0
    {%- endfor %}

),

split_steps as (

    {#- Each step row once per split: overall, by the day of step 1, by cohort. #}
    {%- set no_date = 'cast(null as date)' %}
    {%- set no_cohort = 'cast(null as ' ~ dbt.type_string() ~ ')' %}
    {%- set splits = [
        ['all', no_date, no_cohort],
        ['first_step_date', 'cast(funnel_started_at as date)', no_cohort],
        ['cohort', no_date, 'cohort'],
    ] %}
    {%- for split_by, first_step_date, cohort in splits %}
    select
        '{{ split_by }}' as split_by,
        {{ first_step_date }} as first_step_date,
        {{ cohort }} as cohort,
        funnel_name,
        entity_id,
        step_index,
        cast(seconds_from_previous_step * 1000000 as {{ dbt.type_bigint() }}) as microseconds_from_previous_step
    from steps
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}

),

ranked_steps as (

    {#- Each split's step times in order, for an exact median (integers, no percentile_cont). #}
    select
        *,
        row_number() over (
            partition by split_by, first_step_date, cohort, funnel_name, step_index
            order by microseconds_from_previous_step nulls last
        ) as time_rank,
        count(microseconds_from_previous_step) over (
            partition by split_by, first_step_date, cohort, funnel_name, step_index
        ) as timed_count
    from split_steps

),

reached as (

    select
        split_by,
        first_step_date,
        cohort,
        funnel_name,
        step_index,
        cast(count(*) as {{ dbt.type_bigint() }}) as entities,
        {#- The two middle times (the same one twice for an odd count), added. #}
        sum(case when time_rank = floor((timed_count + 1) / 2.0) then microseconds_from_previous_step end)
        + sum(case when time_rank = ceil((timed_count + 1) / 2.0) then microseconds_from_previous_step end)
            as middle_microseconds_sum
    from ranked_steps
    group by split_by, first_step_date, cohort, funnel_name, step_index

),

splits as (

    {#- Every split that holds an attempt (a step-1 row). #}
    select split_by, first_step_date, cohort, funnel_name
    from reached
    where step_index = 1

),

spine as (

    select
        splits.split_by,
        splits.first_step_date,
        splits.cohort,
        splits.funnel_name,
        funnel_step_names.step_index,
        funnel_step_names.step_name,
        coalesce(reached.entities, 0) as entities,
        reached.middle_microseconds_sum
    from splits
    inner join funnel_step_names
        on splits.funnel_name = funnel_step_names.funnel_name
    left join reached
        on
            splits.split_by = reached.split_by
            and splits.funnel_name = reached.funnel_name
            and funnel_step_names.step_index = reached.step_index
            and (
                splits.first_step_date = reached.first_step_date
                or (splits.first_step_date is null and reached.first_step_date is null)
            )
            and (splits.cohort = reached.cohort or (splits.cohort is null and reached.cohort is null))

),

with_previous as (

    select
        *,
        lag(entities) over (
            partition by funnel_name, split_by, first_step_date, cohort order by step_index
        ) as previous_entities,
        first_value(entities) over (
            partition by funnel_name, split_by, first_step_date, cohort order by step_index
        ) as first_entities
    from spine

),

final as (

    select
        funnel_name,
        split_by,
        first_step_date,
        cohort,
        step_index,
        step_name,
        entities,
        {{ ratio_6_decimals('entities', 'previous_entities') }} as conversion_from_previous_step,
        {{ ratio_6_decimals('entities', 'first_entities') }} as conversion_from_first_step,
        {#- Half the middle sum, rounded down to the microsecond. #}
        {{ seconds_from_microseconds(
            'cast((middle_microseconds_sum - mod(middle_microseconds_sum, 2)) / 2 as ' ~ dbt.type_bigint() ~ ')'
        ) }} as median_seconds_from_previous_step
    from with_previous

)

select * from final
