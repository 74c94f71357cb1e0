{{ config(**rudderstack_state_config('append', partition_column='arrival_date')) }}
{{ config(
    pre_hook="{{ rudderstack_delete_replaced_rows(rudderstack_arrival_window_replaced(with_received_events=true)) }}",
) }}  {#- one row per raw row: an incremental run replaces its arrival window -#}

{#-
    The ledger of deliveries: one narrow row per valid raw activity row, and per raw
    identify row. A run checks against it that it missed no raw row behind the cutoff
    (rudderstack_assert_no_missed_rows). An incremental run rewrites the window and
    every delivery of the events it received (rudderstack_arrival_window_replaced).
-#}
{%- set cutoff = rudderstack_incremental_cutoff() -%}

with activity as (

    {#- All deliveries of the events this run deduplicates, whatever their arrival. #}
    select
        event_id,
        arrival_at,
        'activity' as delivery_kind
    from {{ rudderstack_delivery_rows() }} as delivery_rows
    where rejection_reason is null

),

identifies as (

    select
        event_id,
        arrival_at,
        'identify' as delivery_kind
    from {{ ref('stg_rudderstack__identifies') }}
    where {{ rudderstack_in_arrival_window('arrival_at', cutoff) }}

),

deliveries as (

    select * from activity
    union all
    select * from identifies

),

final as (

    select
        *,
        cast(arrival_at as date) as arrival_date
    from deliveries

)

{{ rudderstack_select_with_unreplaced_rows(
    'final', rudderstack_arrival_window_replaced(with_received_events=true), 'arrival_date'
) }}
