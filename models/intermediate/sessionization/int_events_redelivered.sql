{#-
    The events the run received that have more than one valid delivery: few, since most
    ids are delivered once; only their deliveries need ranking (int_events_deduplicated).
-#}

with deliveries as (

    select * from {{ ref('int_event_deliveries') }}

),

final as (

    select
        event_id,
        cast(count(*) as {{ dbt.type_bigint() }}) as delivered_row_count,
        max(arrival_at) as last_arrival_at
    from deliveries
    group by event_id
    having count(*) > 1

)

select * from final
