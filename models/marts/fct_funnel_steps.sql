{#-
    One row per funnel x entity x step reached (README, "Funnels"), for every funnel in var
    'rudderstack_funnels' (macro rudderstack_funnels). Per entity (a session, or a user: the session's
    stitched user, else its actor), one attempt: step 1 is the entity's first matching
    event; step k the first matching event strictly after step k-1 in (event_at,
    event_id) order and, with a window, at most conversion_window_minutes after step 1.
-#}
{%- set funnels = rudderstack_funnels() %}

with events as (

    select * from {{ ref('fct_events') }}

),

sessions as (

    select * from {{ ref('fct_sessions') }}

),

entity_events as (

    select
        events.event_id,
        events.event_at,
        events.event_name,
        events.event_type,
        events.page_path,
        events.cohort,
        events.session_id,
        coalesce(sessions.stitched_user_id, events.actor_id) as user_entity_id
    from events
    left join sessions on events.session_id = sessions.session_id

),

{%- for funnel in funnels %}
{%- set f = 'funnel_' ~ loop.index %}

{{ f }}_events as (

    {#- {{ funnel.name }}: the events matching any of its steps. #}
    select
        {{ 'session_id' if funnel.scope == 'session' else 'user_entity_id' }} as entity_id,
        event_id,
        event_at,
        cohort,
        {%- for step in funnel.steps %}
        ({{ rudderstack_funnel_step_matches(step) }}) as matches_step_{{ loop.index }}{{ ',' if not loop.last }}
        {%- endfor %}
    from entity_events
    where
        {%- for step in funnel.steps %}
        ({{ rudderstack_funnel_step_matches(step) }}){{ ' or' if not loop.last }}
        {%- endfor %}

),

{{ f }}_step_1 as (

    select
        entity_id,
        event_id,
        event_at,
        cohort,
        event_at as funnel_started_at,
        cast(null as {{ dbt.type_timestamp() }}) as previous_step_reached_at
    from (
        select
            *,
            row_number() over (
                partition by entity_id order by {{ event_order() }}
            ) as match_rank
        from {{ f }}_events
        where matches_step_1
    ) as ranked
    where match_rank = 1

),

{%- for step in funnel.steps[1:] %}
{%- set k = loop.index + 1 %}

{{ f }}_step_{{ k }} as (

    select
        entity_id,
        event_id,
        event_at,
        cohort,
        funnel_started_at,
        previous_step_reached_at
    from (
        select
            later.entity_id,
            later.event_id,
            later.event_at,
            previous.cohort,
            previous.funnel_started_at,
            previous.event_at as previous_step_reached_at,
            row_number() over (
                partition by later.entity_id order by {{ event_order('later.event_at', 'later.event_id') }}
            ) as match_rank
        from {{ f }}_events as later
        inner join {{ f }}_step_{{ k - 1 }} as previous
            on later.entity_id = previous.entity_id
        where
            later.matches_step_{{ k }}
            and {{ event_is_after('later', 'previous') }}
            {%- if funnel.window_microseconds is not none %}
            and {{ epoch_microseconds('later.event_at') }} - {{ epoch_microseconds('previous.funnel_started_at') }}
            <= {{ funnel.window_microseconds }}
            {%- endif %}
    ) as ranked
    where match_rank = 1

),
{%- endfor %}

{{ f }} as (

    {%- for step in funnel.steps %}
    select
        cast({{ sql_string(funnel.name) }} as {{ dbt.type_string() }}) as funnel_name,
        cast({{ sql_string(funnel.scope) }} as {{ dbt.type_string() }}) as funnel_scope,
        entity_id,
        cast({{ loop.index }} as {{ dbt.type_int() }}) as step_index,
        cast({{ sql_string(step.name) }} as {{ dbt.type_string() }}) as step_name,
        event_at as reached_at,
        event_id,
        funnel_started_at,
        cohort,
        previous_step_reached_at
    from {{ f }}_step_{{ loop.index }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}

),
{%- endfor %}

final as (

    {%- for funnel in funnels %}
    select
        funnel_name,
        funnel_scope,
        entity_id,
        step_index,
        step_name,
        reached_at,
        event_id,
        funnel_started_at,
        cohort,
        {{ seconds_from_microseconds(
            epoch_microseconds('reached_at') ~ ' - ' ~ epoch_microseconds('previous_step_reached_at')
        ) }} as seconds_from_previous_step
    from funnel_{{ loop.index }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- else %}
    {#- No funnel configured: the columns, no rows. #}
    select
        cast(null as {{ dbt.type_string() }}) as funnel_name,
        cast(null as {{ dbt.type_string() }}) as funnel_scope,
        cast(null as {{ dbt.type_string() }}) as entity_id,
        cast(null as {{ dbt.type_int() }}) as step_index,
        cast(null as {{ dbt.type_string() }}) as step_name,
        cast(null as {{ dbt.type_timestamp() }}) as reached_at,
        cast(null as {{ dbt.type_string() }}) as event_id,
        cast(null as {{ dbt.type_timestamp() }}) as funnel_started_at,
        cast(null as {{ dbt.type_string() }}) as cohort,
        cast(null as {{ dbt.type_numeric() }}) as seconds_from_previous_step
    from entity_events
    where 1 = 0
    {%- endfor %}

)

select * from final
