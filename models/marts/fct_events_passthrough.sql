{{ config(enabled=rudderstack_passthrough_columns() | length > 0) }}  {#- nothing to carry otherwise -#}

with events as (

    select * from {{ ref('int_events_deduplicated') }}

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
