{{ config(materialized='view') }}  {#- narrow keys, computed by the models that need them -#}

{#-
    One row per event: which delivery the dedup rule keeps (rudderstack_delivery_order),
    how many deliveries the event had, and what sessionization needs of it (actor, time,
    SDK session id, cohort). Narrow on purpose: the kept delivery's full row is joined
    back once, by the models that store it (rudderstack_kept_rows).

    A full build deduplicates every valid row. An incremental run deduplicates the
    events received again: their candidates are the deliveries that arrived after the
    cutoff and the row fct_events kept so far ('stored'); their counts come from the
    delivery ledger, int_event_deliveries.
-#}
{%- set cutoff = rudderstack_incremental_cutoff() -%}
{%- set delivery_window = 'partition by event_id order by ' ~ rudderstack_delivery_order() -%}
{%- set keys = ['event_id', 'event_type', 'event_name', 'actor_id', 'sdk_session_id', 'event_at',
                'received_at', 'loaded_at', 'arrival_at', 'tie_key', 'cohort'] -%}

with arrived as (

    -- depends_on: {{ ref('int_event_deliveries') }} (read by incremental runs)
    select
        'arrived' as delivery_source,
        {{ rudderstack_tie_key() }} as tie_key,
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

{#- The row kept so far (its passthrough columns live in fct_events_passthrough). #}
stored as (

    select
        'stored' as delivery_source,
        {%- for column in keys %}
        {%- if column == 'tie_key' %}
        {{ rudderstack_tie_key('kept_events.', 'kept_passthrough.') }} as tie_key,
        {%- elif column == 'arrival_at' %}
        kept_events.last_arrival_at as arrival_at,
        {%- else %}
        kept_events.{{ column }},
        {%- endif %}
        {%- endfor %}
        kept_events.event_id as stored_event_id
    from {{ rudderstack_model_relation('fct_events') }} as kept_events
    inner join received_ids
        on kept_events.event_id = received_ids.event_id
    {%- if rudderstack_passthrough_columns() %}
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

    {#- One window pass over narrow keys, all on one ordering (one sort). #}
    select
        row_number() over ({{ delivery_window }}) as delivery_rank,
        {#- Deliveries equal to this one on every dedup key: identical copies. #}
        count(*) over ({{ delivery_window }} range between current row and current row) as identical_row_count,
        {#- Whether the next delivery ties on the three times: only then is the tie key needed. #}
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

final as (

    select
        {%- for column in keys if column not in ['arrival_at', 'tie_key'] %}
        {{ column }},
        {%- endfor %}
        {#- The tie key joins the kept row back only when times tie; NULL keeps rows narrow. #}
        case when is_tied_on_times then tie_key end as tie_key,
        delivery_source,
        identical_row_count,
        delivered_row_count - 1 as duplicate_row_count,
        last_arrival_at
    from ranked
    where delivery_rank = 1

)

select * from final
