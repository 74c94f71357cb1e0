{{ config(**rudderstack_state_config('append', partition_column='arrival_date', lookups=['arrival_at'])) }}
{{ config(pre_hook="{{ rudderstack_delete_replaced_rows(rudderstack_arrival_window_replaced()) }}") }}
{#- one row per rejected raw row: a run replaces the rows of its window -#}

{#-
    Raw activity rows that cannot be sessionized (docs/sessionization.md, "Rejection"), with the reason: no `id`,
    no `timestamp`, or no actor. Kept, not dropped, so every raw row is accounted for
    (data test assert_raw_activity_rows_are_conserved). One row per rejected raw row;
    copies of a rejected row are all kept.
-#}
{%- set window = rudderstack_run_window() %}

with arrived as (

    select * from {{ ref('int_events_arrived') }}

),

final as (

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
        source_name,
        sdk_session_id,
        rejection_reason,
        cast(arrival_at as date) as arrival_date
    from arrived
    where rejection_reason is not null

)

{{ rudderstack_select_with_unreplaced_rows('final', rudderstack_arrival_window_replaced(), 'arrival_date', window) }}
