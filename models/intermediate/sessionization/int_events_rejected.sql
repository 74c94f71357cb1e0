with events as (

    select * from {{ ref('int_events_unioned') }}

),

rejected as (

    select
        event_id,
        event_type,
        event_name,
        anonymous_id,
        user_id,
        event_at,
        received_at,
        loaded_at,
        channel,
        sdk_session_id,
        {{ rudderstack_rejection_reason() }} as rejection_reason
    from events

),

final as (

    select * from rejected
    where rejection_reason is not null

)

select * from final
