{{ config(materialized='view') }}  {#- read by state_identity_runs and dim_actor_users -#}

{#-
    Every observation that an anonymous id is a user: identify calls, and events that
    carry both ids (the SDK attaches the user id to every call after identify).
-#}

with identifies as (

    select * from {{ ref('state_identifies') }}

),

events as (

    select * from {{ ref('state_events') }}

),

final as (

    select
        anonymous_id,
        user_id,
        identified_at as linked_at,
        'identify' as link_source,
        event_id as link_event_id
    from identifies
    where
        anonymous_id is not null
        and user_id is not null
        and identified_at is not null
        and event_id is not null
    union all
    select
        anonymous_id,
        user_id,
        event_at as linked_at,
        'event' as link_source,
        event_id as link_event_id
    from events
    where anonymous_id is not null and user_id is not null

)

select * from final
