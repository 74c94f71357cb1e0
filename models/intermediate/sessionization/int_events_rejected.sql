{{ config(
    materialized='incremental',
    incremental_strategy='append',
    pre_hook="{{ rudderstack_replace_arrival_window() }}",
) }}  {#- one row per rejected raw row: an incremental run replaces its arrival window -#}
{%- set cutoff = rudderstack_incremental_cutoff() %}

with arrived as (

    select * from {{ ref('int_events_arrived') }}

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
    {#- The window the pre-hook emptied, whatever cutoff int_events_arrived was created with. #}
    where rejection_reason is not null{% if cutoff is not none %} and arrival_at > {{ cutoff }}{% endif %}

)

select * from rejected
