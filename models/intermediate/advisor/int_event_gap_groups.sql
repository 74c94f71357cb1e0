{#-
    The timeout advisor's one pass over the events (docs/timeout_advisor.md): every event's
    pair with its actor's previous one (rudderstack_event_gaps: one window sort per actor),
    grouped by cohort and by everything rpt_session_timeouts and rpt_session_gap_histogram
    decide on: first event or not, session-less or not, what the SDK says of the pair, the
    gap's bucket and the derived gap's bucket among the histogram's edges (which hold
    every candidate and configured timeout, so a bucket answers "greater than" for each).
    A few rows per cohort; each also carries what buckets cannot give, the cohort's gap
    percentiles (nearest rank, one sort of the gaps per cohort), and the edges it was
    counted with, which both reports check (rudderstack_check_gap_group_edges).
-#}
{%- set edges = rudderstack_gap_histogram_edges() %}

with events as (

    select
        actor_id,
        event_id,
        event_at,
        cohort,
        sdk_session_id
    from {{ ref('fct_events') }}

),

gaps as (

    {{ rudderstack_event_gaps('events') }}

),

ranked as (

    {#- The cohort's gaps in increasing order (first events, which have none, apart). #}
    select
        *,
        row_number() over (partition by cohort, is_first_event order by gap_microseconds) as gap_rank,
        count(*) over (partition by cohort, is_first_event) as cohort_gap_count
    from gaps

),

grouped as (

    select
        cohort,
        is_first_event,
        is_sessionless,
        is_sdk_same_session,
        {{ rudderstack_gap_bucket('gap_microseconds', edges) }} as gap_bucket,
        {{ rudderstack_gap_bucket('derived_gap_microseconds', edges) }} as derived_gap_bucket,
        {%- for p in rudderstack_gap_percentiles() %}
        {#- Nearest rank: the gap of rank ceil(p% of n), in integers; in one group of the cohort. #}
        max(
            case
                when
                    is_first_event = 0
                    and gap_rank * 100 >= {{ p }} * cohort_gap_count
                    and gap_rank * 100 - 100 < {{ p }} * cohort_gap_count
                    then gap_microseconds
            end
        ) as group_gap_p{{ p }}_microseconds,
        {%- endfor %}
        count(*) as event_count
    from ranked
    group by
        cohort,
        is_first_event,
        is_sessionless,
        is_sdk_same_session,
        {{ rudderstack_gap_bucket('gap_microseconds', edges) }},
        {{ rudderstack_gap_bucket('derived_gap_microseconds', edges) }}

),

final as (

    select
        cohort,
        is_first_event,
        is_sessionless,
        is_sdk_same_session,
        gap_bucket,
        derived_gap_bucket,
        cast(event_count as {{ dbt.type_bigint() }}) as event_count,
        {%- for p in rudderstack_gap_percentiles() %}
        max(group_gap_p{{ p }}_microseconds) over (partition by cohort) as gap_p{{ p }}_microseconds,
        {%- endfor %}
        cast('{{ rudderstack_gap_histogram_edges_text() }}' as {{ dbt.type_string() }}) as histogram_edges_microseconds
    from grouped

)

select * from final
