{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='event_id',
) }}  {#- the event state: an incremental run rewrites the events it received again -#}

{#-
    The dedup rule, in one place. RudderStack delivers at least once: keep, per
    event id, the row received last; ties go to the row loaded last, then to the
    latest event time, then to a fixed order over every staged column (text byte by
    byte), so every engine keeps the same row.

    Incremental: the candidates for an event are its deliveries that arrived after the
    cutoff and the row kept so far; the counts come from the delivery ledger.
-#}
{%- set event_columns = rudderstack_event_columns() -%}
{%- set cutoff = rudderstack_incremental_cutoff() -%}
{%- set incremental = is_incremental() and cutoff is not none -%}

with arrived as (

    -- depends_on: {{ ref('int_event_deliveries') }} (read by incremental runs)
    select * from {{ ref('int_events_arrived') }}
    where rejection_reason is null

),

{%- if incremental %}

received_ids as (

    select distinct event_id from arrived

),

candidates as (

    select
        {%- for column in event_columns %}
        {{ column }}{{ ',' if not loop.last }}
        {%- endfor %}
    from arrived
    union all
    select
        {%- for column in event_columns %}
        kept.{{ column }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ this }} as kept
    inner join received_ids
        on kept.event_id = received_ids.event_id

),

delivery_counts as (

    select
        deliveries.event_id,
        count(*) as delivered_row_count,
        max(deliveries.arrival_at) as last_arrival_at
    from {{ ref('int_event_deliveries') }} as deliveries
    inner join received_ids
        on deliveries.event_id = received_ids.event_id
    group by deliveries.event_id

),

ranked as (

    select
        row_number() over (
            partition by event_id
            order by {{ rudderstack_delivery_order() }}
        ) as delivery_rank,
        *
    from candidates

),

winners as (

    select
        delivery_counts.delivered_row_count,
        delivery_counts.last_arrival_at,
        ranked.*
    from ranked
    inner join delivery_counts
        on ranked.event_id = delivery_counts.event_id
    where ranked.delivery_rank = 1

),

{%- else %}

winners as (

    select
        row_number() over (
            partition by event_id
            order by {{ rudderstack_delivery_order() }}
        ) as delivery_rank,
        count(*) over (partition by event_id) as delivered_row_count,
        max(arrival_at) over (partition by event_id) as last_arrival_at,
        *
    from arrived

),

{%- endif %}

final as (

    select
        {%- for column in event_columns %}
        {{ column }},
        {%- endfor %}
        delivered_row_count - 1 as duplicate_row_count,
        last_arrival_at,
        {{ event_cohort() }} as cohort
    from winners
    where delivery_rank = 1

)

select * from final
