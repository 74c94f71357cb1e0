{{ config(
    materialized='view',
    enabled=rudderstack_passthrough_columns() | length > 0,
) }}  {#- built only when there is something to carry; the stored events' columns, no copy -#}

{#- The raw columns listed in var event_passthrough_columns, one row per event of fct_events. -#}

with events as (

    select * from {{ ref('state_events') }}

),

final as (

    select
        event_id,
        {%- for column in rudderstack_passthrough_columns() %}
        {{ column }},
        {%- endfor %}
        event_date
    from events

)

select * from final
