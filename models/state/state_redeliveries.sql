{{ config(**rudderstack_state_config('append', partition_column='arrival_date')) }}
{{ config(pre_hook="{{ rudderstack_delete_replaced_rows(rudderstack_received_events_replaced()) }}") }}
{#- a run replaces the deliveries of the events it received, which it read again, all of them -#}

{#-
    The ledger of deliveries, for the events delivered more than once only (an event
    delivered once is its own ledger: state_events.last_arrival_at): one narrow row per
    valid raw delivery of such an event. The missed-rows check counts on it.
-#}
{%- set window = rudderstack_run_window() %}

with deliveries as (

    select * from {{ ref('int_event_deliveries') }}

),

redelivered as (

    select * from {{ ref('int_events_redelivered') }}

),

final as (

    select
        deliveries.event_id,
        deliveries.event_type,
        deliveries.arrival_at,
        cast(deliveries.arrival_at as date) as arrival_date
    from deliveries
    inner join redelivered on deliveries.event_id = redelivered.event_id

)

{{ rudderstack_select_with_unreplaced_rows(
    'final', rudderstack_received_events_replaced(), 'arrival_date', window
) }}
