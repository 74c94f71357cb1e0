{{ config(
    materialized='incremental',
    incremental_strategy='append',
    pre_hook="{{ rudderstack_delete_sessions_in_scope() }}",
    post_hook="delete from {{ ref('int_sessionization_scope') }}",
) }}  {#- an incremental run deletes the sessions in its scope, then inserts them rebuilt -#}
-- depends_on: {{ ref('int_sessionization_scope') }}
{#-
    fct_sessions is the last state model a run writes: its latest last_arrival_at is the
    next run's cutoff, so every other state model must be written before it; its
    post-hook marks the run's scope used.
-#}
-- depends_on: {{ ref('int_events_rejected') }}

with events as (

    {%- if is_incremental() and rudderstack_incremental_cutoff() is not none %}
    {{ rudderstack_events_in_scope(ref('fct_events')) }}
    {%- else %}
    select * from {{ ref('fct_events') }}
    {%- endif %}

),

identifies as (

    select * from {{ ref('stg_rudderstack__identifies') }}

),

identify_session_starts as (

    {#- The SDK flags a session's first call, which can be an identify call. -#}
    select
        actor_id,
        sdk_session_id,
        cast(count(distinct event_id) as {{ dbt.type_bigint() }}) as session_start_flag_count
    from identifies
    where is_sdk_session_start and sdk_session_id is not null
    group by actor_id, sdk_session_id

),

sessions as (

    select
        session_id,
        max(actor_id) as actor_id,
        max(anonymous_id) as anonymous_id,
        max(session_source) as session_source,
        max(sdk_session_id) as sdk_session_id,
        max(case when event_number_in_session = 1 then cohort end) as cohort,
        max(case when event_number_in_session = 1 then channel end) as channel,
        min(event_at) as session_started_at,
        max(event_at) as session_ended_at,
        max(last_arrival_at) as last_arrival_at,
        cast(count(*) as {{ dbt.type_bigint() }}) as event_count,
        cast(sum(case when event_type = 'track' then 1 else 0 end) as {{ dbt.type_bigint() }}) as track_count,
        cast(sum(case when event_type = 'page' then 1 else 0 end) as {{ dbt.type_bigint() }}) as page_count,
        cast(sum(case when event_type = 'screen' then 1 else 0 end) as {{ dbt.type_bigint() }}) as screen_count,
        cast(
            sum(case when is_sdk_session_start then 1 else 0 end) as {{ dbt.type_bigint() }}
        ) as event_session_start_flag_count,
        {{ dbt.bool_or('event_number_in_session = 1 and is_sdk_session_start') }} as is_first_event_flagged
    from events
    group by session_id

),

sessions_with_identifies as (

    select
        sessions.*,
        case
            when sessions.session_source = 'sdk'
                then
                    sessions.event_session_start_flag_count
                    + coalesce(identify_session_starts.session_start_flag_count, 0)
        end as session_start_flag_count
    from sessions
    left join identify_session_starts
        on
            sessions.session_source = 'sdk'
            and sessions.actor_id = identify_session_starts.actor_id
            and sessions.sdk_session_id = identify_session_starts.sdk_session_id

),

final as (

    select
        session_id,
        actor_id,
        anonymous_id,
        session_source,
        sdk_session_id,
        cohort,
        channel,
        session_started_at,
        session_ended_at,
        cast(
            cast(
                {{ epoch_microseconds('session_ended_at') }}
                - {{ epoch_microseconds('session_started_at') }}
                as {{ dbt.type_numeric() }}
            ) / 1000000 as {{ dbt.type_numeric() }}
        ) as duration_seconds,
        event_count,
        track_count,
        page_count,
        screen_count,
        session_start_flag_count,
        session_start_flag_count > 0 as has_session_start_flag,
        case
            when session_source = 'sdk' then coalesce(is_first_event_flagged, false)
        end as is_first_event_session_start,
        last_arrival_at
    from sessions_with_identifies

)

select * from final
