{{ config(materialized=rudderstack_chain_materialization()) }}  {#- narrow keys, computed by the models that need them -#}

{#-
    One row per event: which delivery the dedup rule keeps (rudderstack_arrival_order,
    then the tie key), how many deliveries the event had, and what sessionization needs
    of it (actor, time, SDK session id, cohort). Narrow on purpose: the kept delivery's
    full row is joined back by the models that store it (rudderstack_kept_rows).

    Its input is every current raw delivery of the events a run deduplicates
    (rudderstack_delivery_rows): all events on a full build, the events received again
    on an incremental run (all their deliveries, however old), so both give the same.

    The ranking sorts on the three times only. The tie key (every other staged column)
    is built just for the events whose latest deliveries tie on all three.
-#}
{%- set delivery_window = 'partition by event_id order by ' ~ rudderstack_arrival_order() -%}
{%- set keys = ['event_id', 'event_type', 'event_name', 'actor_id', 'sdk_session_id', 'event_at',
                'received_at', 'loaded_at', 'cohort'] -%}
{%- set final_columns = keys + [
    "'arrived' as delivery_source", 'delivered_row_count - 1 as duplicate_row_count', 'last_arrival_at'] -%}

with deliveries as (

    select
        {{ event_cohort() }} as cohort,
        *
    from {{ rudderstack_delivery_rows() }} as delivery_rows
    where rejection_reason is null

),

ranked as (

    {#- One window pass over narrow keys, on one ordering (one sort). #}
    select
        rank() over ({{ delivery_window }}) as arrival_rank,
        {#- How many deliveries share this one's three times: more than one, and the tie key decides. #}
        count(*) over ({{ delivery_window }} range between current row and current row) as tied_row_count,
        count(*) over ({{ delivery_window }} rows between unbounded preceding and unbounded following)
            as delivered_row_count,
        max(arrival_at) over ({{ delivery_window }} rows between unbounded preceding and unbounded following)
            as last_arrival_at,
        {{ keys | join(', ') }}
    from deliveries

),

latest as (

    select * from ranked
    where arrival_rank = 1

),

tied_latest as (

    {#- The rare events whose latest deliveries tie on the three times (one row each). #}
    select distinct
        event_id,
        received_at,
        loaded_at,
        event_at,
        delivered_row_count,
        last_arrival_at
    from latest
    where tied_row_count > 1

),

tie_candidates as (

    {#- The deliveries again, as a CTE of its own: one referenced twice would be stored whole. #}
    select
        {{ event_cohort() }} as cohort,
        *
    from {{ rudderstack_delivery_rows() }} as delivery_rows
    where rejection_reason is null

),

tied_deliveries as (

    select
        tied_latest.delivered_row_count,
        tied_latest.last_arrival_at,
        {%- for column in keys %}
        delivery.{{ column }},
        {%- endfor %}
        {{ rudderstack_tie_key('delivery.') }} as tie_key  -- noqa: LT02
    from tied_latest
    inner join tie_candidates as delivery
        on
            tied_latest.event_id = delivery.event_id
            and {{ rudderstack_same_times('tied_latest', 'delivery') }}

),

tie_broken as (

    select
        row_number() over (
            partition by event_id order by {{ binary_collation('tie_key') }}
        ) as tie_rank,
        {#- Deliveries equal on every dedup key are identical copies: any one is the kept row. #}
        count(*) over (
            partition by event_id order by {{ binary_collation('tie_key') }}
            range between current row and current row
        ) as identical_row_count,
        *
    from tied_deliveries

),

final as (

    select
        {{ final_columns | join(', ') }},
        cast(null as {{ dbt.type_string() }}) as tie_key,
        cast(1 as {{ dbt.type_bigint() }}) as identical_row_count
    from latest
    where tied_row_count = 1
    union all
    select
        {{ final_columns | join(', ') }},
        tie_key,
        identical_row_count
    from tie_broken
    where tie_rank = 1

)

select * from final
