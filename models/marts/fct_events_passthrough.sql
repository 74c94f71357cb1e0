{{ config(**rudderstack_state_config('delete+insert', partition_column='event_date', unique_key='event_id')) }}
{{ config(
    enabled=rudderstack_passthrough_columns() | length > 0,
    pre_hook="{{ rudderstack_delete_replaced_rows() }}",
) }}  {#- built only when there is something to carry; an incremental run rewrites the events received again -#}

with winners as (

    {#- Every event on a full build; on an incremental run, the events received again. #}
    select * from {{ ref('int_events_deduplicated') }}

),

kept as (

    {{ rudderstack_kept_rows('winners', ['event_id', 'event_at'], rudderstack_passthrough_columns()) }}

),

final as (

    select
        event_id,
        {%- for column in rudderstack_passthrough_columns() %}
        {{ column }},
        {%- endfor %}
        cast(event_at as date) as event_date
    from kept

)

{#- Replaced: the stored rows of the events this run rewrites (one row each in int_events_deduplicated). #}
{{ rudderstack_select_with_unreplaced_rows('final', rudderstack_events_replaced(ref('int_events_deduplicated')), 'event_date') }}
