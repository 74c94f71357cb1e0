{{ config(
    materialized='incremental',
    incremental_strategy='append',
    pre_hook="{{ rudderstack_replace_arrival_window() }}",
) }}  {#- one row per rejected raw row: an incremental run replaces its arrival window -#}

with arrived as (

    select * from {{ rudderstack_arrived_rows() }} as arrived_rows

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
        arrival_at,
        channel,
        sdk_session_id,
        rejection_reason
    from arrived
    where rejection_reason is not null

)

select * from rejected
