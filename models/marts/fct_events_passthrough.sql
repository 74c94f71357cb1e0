{{ config(
    materialized='view',
    enabled=rudderstack_passthrough_columns() | length > 0,
) }}  {#- built only when there is something to carry; the stored events' columns, no copy -#}

{#-
    The raw columns listed in var event_passthrough_columns, one row per event of
    fct_events; those also in rudderstack_personal_columns hashed with the salt
    (macros/access/personal_data.sql).
-#}
{%- set personal = rudderstack_personal_columns() %}

with events as (

    select * from {{ ref('state_events') }}

),

final as (

    select
        events.event_id,
        {%- for column in rudderstack_passthrough_columns() %}
        {%- if column in personal %}
        {{ rudderstack_hash_personal('events.' ~ column, 'salt.salt') }} as {{ column }},
        {%- else %}
        events.{{ column }},
        {%- endif %}
        {%- endfor %}
        events.event_date
    from events
    {%- if personal %}
    cross join {{ ref('personal_data_salt') }} as salt
    {%- endif %}

)

select * from final
