{{ config(
    enabled=rudderstack_passthrough_columns() | length > 0,
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='event_id',
) }}  {#- built only when there is something to carry; rewrites the events received again -#}

-- depends_on: {{ ref('int_events_arrived') }}

with events as (

    select * from {{ ref('int_events_deduplicated') }}
    {%- if is_incremental() and rudderstack_incremental_cutoff() is not none %}
    where event_id in (
        select event_id from {{ ref('int_events_arrived') }}
        where rejection_reason is null
    )
    {%- endif %}

),

final as (

    select
        {%- for column in rudderstack_passthrough_columns() %}
        {{ column }},
        {%- endfor %}
        event_id
    from events

)

select * from final
