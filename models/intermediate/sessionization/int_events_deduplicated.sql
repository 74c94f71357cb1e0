{#-
    The dedup rule, in one place. RudderStack delivers at least once: keep, per
    event id, the row received last; ties go to the row loaded last, then to the
    latest event time, then to a fixed order over every staged column (text byte by
    byte), so every engine keeps the same row.
-#}
{%- set event_columns = rudderstack_event_columns() -%}

with events as (

    select * from {{ ref('int_events_unioned') }}

),

valid_events as (

    select * from events
    where {{ rudderstack_rejection_reason() }} is null

),

ranked as (

    select
        row_number() over (
            partition by event_id
            order by
                received_at desc nulls last,
                loaded_at desc nulls last,
                event_at desc,
                {{ rudderstack_tie_break_order() }}
        ) as delivery_rank,
        count(*) over (partition by event_id) as delivered_row_count,
        *
    from valid_events

),

final as (

    select
        {%- for column in event_columns %}
        {{ column }},
        {%- endfor %}
        delivered_row_count - 1 as duplicate_row_count,
        {{ event_cohort() }} as cohort
    from ranked
    where delivery_rank = 1

)

select * from final
