{{ config(materialized='view') }}  {#- computed once per run, by the models that store its rows -#}

{#-
    The dedup rule, in one place. RudderStack delivers at least once: keep, per event
    id, the row received last; ties go to the row loaded last, then to the latest event
    time, then to a fixed order over every staged column (text byte by byte), so every
    engine keeps the same row. The full order is only paid for the rare rows that tie
    on the first three.

    A full build deduplicates every valid row. An incremental run deduplicates the
    events received again: their candidates are the deliveries that arrived after the
    cutoff and the row fct_events kept so far; their counts come from the delivery
    ledger, int_event_deliveries.
-#}
{%- set event_columns = rudderstack_event_columns() -%}
{%- set passthrough = rudderstack_passthrough_columns() -%}
{%- set cutoff = rudderstack_incremental_cutoff() -%}

with arrived as (

    -- depends_on: {{ ref('int_event_deliveries') }} (read by incremental runs)
    select * from {{ ref('int_events_arrived') }}
    where rejection_reason is null

),

{%- if cutoff is none %}

candidates as (

    select
        count(*) over (partition by event_id) as delivered_row_count,
        max(arrival_at) over (partition by event_id) as last_arrival_at,
        *
    from arrived

),

{%- else %}

received_ids as (

    select distinct event_id from arrived

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

{#- The row kept so far (its passthrough columns live in fct_events_passthrough). #}
kept as (

    select
        {%- for column in event_columns %}
        {%- if column == 'arrival_at' %}
        kept_events.last_arrival_at as arrival_at{{ ',' if not loop.last }}
        {%- elif column in passthrough %}
        kept_passthrough.{{ column }}{{ ',' if not loop.last }}
        {%- else %}
        kept_events.{{ column }}{{ ',' if not loop.last }}
        {%- endif %}
        {%- endfor %}
    from {{ rudderstack_model_relation('fct_events') }} as kept_events
    inner join received_ids
        on kept_events.event_id = received_ids.event_id
    {%- if passthrough %}
    left join {{ rudderstack_model_relation('fct_events_passthrough') }} as kept_passthrough
        on kept_events.event_id = kept_passthrough.event_id
    {%- endif %}

),

candidates as (

    select
        delivery_counts.delivered_row_count,
        delivery_counts.last_arrival_at,
        delivered.*
    from (
        select
            {%- for column in event_columns %}
            {{ column }}{{ ',' if not loop.last }}
            {%- endfor %}
        from arrived
        union all
        select * from kept
    ) as delivered
    inner join delivery_counts
        on delivered.event_id = delivery_counts.event_id

),

{%- endif %}

latest as (

    select
        rank() over (
            partition by event_id
            order by {{ rudderstack_arrival_order() }}
        ) as arrival_rank,
        *
    from candidates

),

latest_counted as (

    select
        count(*) over (partition by event_id) as tied_row_count,
        *
    from latest
    where arrival_rank = 1

),

{#- Deliveries tied on arrival and event time: a fixed order over every staged column decides. #}
tie_broken as (

    select
        row_number() over (
            partition by event_id
            order by {{ rudderstack_tie_break_order() }}
        ) as tie_rank,
        *
    from latest_counted
    where tied_row_count > 1

),

{%- set final_columns -%}
        {%- for column in event_columns %}
        {{ column }},
        {%- endfor %}
        delivered_row_count - 1 as duplicate_row_count,
        last_arrival_at,
        {{ event_cohort() }} as cohort
{%- endset %}

final as (

    select {{ final_columns }}
    from latest_counted
    where tied_row_count = 1
    union all
    select {{ final_columns }}
    from tie_broken
    where tie_rank = 1

)

select * from final
