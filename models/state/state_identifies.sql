{{ config(**rudderstack_state_config(
    'append', partition_column='arrival_date', lookups=['arrival_at', 'written_in_run'],
)) }}
{{ config(pre_hook="{{ rudderstack_delete_replaced_rows(rudderstack_arrival_window_replaced()) }}") }}
{#- one row per raw identify call: a run replaces the rows of its window -#}

{#-
    Every identify call, narrow: who an anonymous id was (identity stitching), which SDK
    session it flagged as started (session_start_flag_count), and when it arrived (the
    missed-rows check). Identifies are not session activity.
-#}
{%- set window = rudderstack_run_window() %}

with arrived as (

    select * from {{ ref('int_identifies_arrived') }}

),

final as (

    select
        event_id,
        anonymous_id,
        user_id,
        actor_id,
        identified_at,
        sdk_session_id,
        is_sdk_session_start,
        arrival_at,
        cast({{ window.run_number }} as {{ dbt.type_bigint() }}) as written_in_run,
        cast(arrival_at as date) as arrival_date
    from arrived

)

{{ rudderstack_select_with_unreplaced_rows('final', rudderstack_arrival_window_replaced(), 'arrival_date', window) }}
