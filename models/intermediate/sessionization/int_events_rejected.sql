{{ config(**rudderstack_state_config('append', partition_column='arrival_date')) }}
{{ config(
    pre_hook="{{ rudderstack_delete_replaced_rows(rudderstack_arrival_window_replaced()) }}",
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
        rejection_reason,
        cast(arrival_at as date) as arrival_date
    from arrived
    where rejection_reason is not null

)

{{ rudderstack_select_with_unreplaced_rows('rejected', rudderstack_arrival_window_replaced(), 'arrival_date') }}
