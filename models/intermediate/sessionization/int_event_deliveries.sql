{{ config(
    materialized='incremental',
    incremental_strategy='append',
    pre_hook="{{ rudderstack_replace_arrival_window() }}",
) }}  {#- one row per raw row: an incremental run replaces its arrival window -#}

{#-
    The ledger of deliveries: one narrow row per valid raw activity row, and per raw
    identify row. It makes duplicate counts exact across incremental runs (a duplicate
    can arrive any time later) and lets a run prove it missed no raw row.
-#}
{%- set cutoff = rudderstack_incremental_cutoff() -%}

with activity as (

    select
        event_id,
        arrival_at,
        'activity' as delivery_kind
    from {{ ref('int_events_arrived') }}
    where rejection_reason is null

),

identifies as (

    select
        event_id,
        arrival_at,
        'identify' as delivery_kind
    from {{ ref('stg_rudderstack__identifies') }}

),

deliveries as (

    select * from activity
    union all
    select * from identifies

),

final as (

    select * from deliveries
    {%- if cutoff is not none %}
    {#- The window the pre-hook emptied, whatever cutoff int_events_arrived was created with. #}
    where arrival_at > {{ cutoff }}
    {%- endif %}

)

select * from final
