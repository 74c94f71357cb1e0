{{ config(materialized='rudderstack_received') }}  {#- a view, or a table to sessionize in slices -#}

{#-
    One row per event the run received: the delivery the dedup rule keeps
    (rudderstack_delivery_order), whole, with how many deliveries the event had. Most
    ids are delivered once and pass through as they are; only the deliveries of the
    others (int_events_redelivered) are ranked, so the kept row is chosen once, with
    its columns, and never looked up again.
-#}

{%- set window = rudderstack_run_window() %}

{#- Read twice: on a full build that is two scans of the raw tables, cheaper than holding them. #}
with deliveries as {{ rudderstack_cte_hint(window.is_incremental) }} (

    select * from {{ ref('int_event_deliveries') }}

),

redelivered as (

    select * from {{ ref('int_events_redelivered') }}

),

delivered_once as (

    select
        *,
        cast(0 as {{ dbt.type_bigint() }}) as duplicate_row_count,
        arrival_at as last_arrival_at,
        cast(1 as {{ dbt.type_bigint() }}) as identical_row_count
    from deliveries
    where not exists (
        select 1 from redelivered
        where redelivered.event_id = deliveries.event_id
    )

),

ranked as (

    select
        deliveries.*,
        redelivered.delivered_row_count - 1 as duplicate_row_count,
        redelivered.last_arrival_at,
        row_number() over (
            partition by deliveries.event_id order by {{ rudderstack_delivery_order('deliveries.') }}
        ) as delivery_rank,
        {#- Deliveries equal to the kept one on every key share its rank: identical copies. #}
        rank() over (
            partition by deliveries.event_id order by {{ rudderstack_delivery_order('deliveries.') }}
        ) as delivery_tie_rank
    from deliveries
    inner join redelivered on deliveries.event_id = redelivered.event_id

),

kept as (

    select
        *,
        cast(
            sum(case when delivery_tie_rank = 1 then 1 else 0 end) over (partition by event_id)
            as {{ dbt.type_bigint() }}
        ) as identical_row_count
    from ranked

),

unioned as (

    select * from delivered_once
    union all
    select
        {{ (rudderstack_event_columns() + ['duplicate_row_count', 'last_arrival_at', 'identical_row_count'])
            | join(', ') }}
    from kept
    where delivery_rank = 1

),

final as (

    select
        {{ event_cohort() }} as cohort,
        *
    from unioned

)

select * from final
