{{ config(materialized='view') }}  {#- narrow keys, computed by the models that need them -#}

{#-
    One row per event: which delivery the dedup rule keeps (rudderstack_arrival_order, then the tie key),
    how many deliveries the event had, and what sessionization needs of it (actor, time,
    SDK session id, cohort). Narrow on purpose: the kept delivery's full row is joined
    back once, by the models that store it (rudderstack_kept_rows).

    The ranking sorts on the three times only. The tie key (every other staged column)
    is computed just for the rare events whose latest deliveries tie on all three.

    A full build deduplicates every valid row. An incremental run deduplicates the
    events received again: their candidates are the deliveries that arrived after the
    cutoff and the row fct_events kept so far ('stored'); their counts come from the
    delivery ledger, int_event_deliveries.
-#}
{%- set cutoff = rudderstack_incremental_cutoff() -%}
{%- set passthrough = rudderstack_passthrough_columns() -%}
{%- set delivery_window = 'partition by event_id order by ' ~ rudderstack_arrival_order() -%}
{%- set keys = ['event_id', 'event_type', 'event_name', 'actor_id', 'sdk_session_id', 'event_at',
                'received_at', 'loaded_at', 'arrival_at', 'cohort'] -%}

{%- set final_columns = keys | reject('equalto', 'arrival_at') | list
    + ['delivery_source', 'delivered_row_count - 1 as duplicate_row_count', 'last_arrival_at'] -%}

with arrived as (

    -- depends_on: {{ ref('int_event_deliveries') }} (read by incremental runs)
    select
        'arrived' as delivery_source,
        {{ event_cohort() }} as cohort,
        *
    from {{ ref('int_events_arrived') }}
    where rejection_reason is null

),

{%- if cutoff is none %}

candidates as (

    select delivery_source, {{ keys | join(', ') }} from arrived

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
    where deliveries.delivery_kind = 'activity'
    group by deliveries.event_id

),

{#- The row kept so far, in the staged shape (its passthrough columns live in fct_events_passthrough). #}
stored as (

    select
        'stored' as delivery_source,
        {%- for column in rudderstack_event_columns() + ['cohort'] %}
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
        received.*
    from (
        select delivery_source, {{ keys | join(', ') }} from arrived
        union all
        select delivery_source, {{ keys | join(', ') }} from stored
    ) as received
    inner join delivery_counts
        on received.event_id = delivery_counts.event_id

),

{%- endif %}

ranked as (

    {#- One window pass over narrow keys, on one ordering (one sort). #}
    select
        row_number() over ({{ delivery_window }}) as delivery_rank,
        {#- Whether the next delivery ties on the three times: then the tie key decides. #}
        coalesce(
            {{ null_safe_timestamp_equal('lead(received_at) over (' ~ delivery_window ~ ')', 'received_at') }}
            and {{ null_safe_timestamp_equal('lead(loaded_at) over (' ~ delivery_window ~ ')', 'loaded_at') }}
            and lead(event_at) over ({{ delivery_window }}) = event_at,
            false
        ) as is_tied_on_times,
        {%- if cutoff is none %}
        count(*) over ({{ delivery_window }} rows between unbounded preceding and unbounded following)
            as delivered_row_count,
        max(arrival_at) over ({{ delivery_window }} rows between unbounded preceding and unbounded following)
            as last_arrival_at,
        {%- endif %}
        *
    from candidates

),

latest as (

    select * from ranked
    where delivery_rank = 1

),

tied_latest as (

    {#- The rare events whose latest deliveries tie on the three times. #}
    select
        event_id,
        received_at,
        loaded_at,
        event_at,
        delivered_row_count,
        last_arrival_at
    from latest
    where is_tied_on_times

),

tied_deliveries as (

    {%- set tied_sources = [('arrived', 'arrived')] + ([('stored', 'stored')] if cutoff is not none else []) %}
    {%- for source_name, relation in tied_sources %}
    select
        tied_latest.delivered_row_count,
        tied_latest.last_arrival_at,
        {{ rudderstack_tie_key('delivery.') }} as tie_key,
        {%- for column in keys %}
        delivery.{{ column }},
        {%- endfor %}
        delivery.delivery_source
    from tied_latest
    inner join {{ relation }} as delivery
        on
            tied_latest.event_id = delivery.event_id
            and {{ null_safe_timestamp_equal('tied_latest.received_at', 'delivery.received_at') }}
            and {{ null_safe_timestamp_equal('tied_latest.loaded_at', 'delivery.loaded_at') }}
            and tied_latest.event_at = delivery.event_at
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}

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
    where not is_tied_on_times
    union all
    select
        {{ final_columns | join(', ') }},
        tie_key,
        identical_row_count
    from tie_broken
    where tie_rank = 1

)

select * from final
