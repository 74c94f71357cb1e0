{{ config(
    enabled=rudderstack_passthrough_columns() | length > 0,
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='event_id',
) }}  {#- built only when there is something to carry; an incremental run rewrites the events received again -#}

with winners as (

    {#- Every event on a full build; on an incremental run, the events received again. #}
    select * from {{ ref('int_events_deduplicated') }}

),

final as (

    {{ rudderstack_kept_rows('winners', ['event_id'], rudderstack_passthrough_columns()) }}

)

select * from final
