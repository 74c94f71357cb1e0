{{ config(
    materialized='incremental',
    incremental_strategy='append',
    pre_hook="{{ rudderstack_replace_arrival_window() }}",
) }}  {#- one row per valid raw row: an incremental run replaces its arrival window -#}

{#-
    The ledger of valid deliveries: one narrow row per raw activity row that passed
    rejection. It makes duplicate counts exact across incremental runs (a duplicate can
    arrive any time later) and lets a run prove it missed no raw row.
-#}

with arrived as (

    select * from {{ ref('int_events_arrived') }}

),

deliveries as (

    select
        event_id,
        arrival_at
    from arrived
    where rejection_reason is null

)

select * from deliveries
