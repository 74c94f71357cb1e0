{#-
    The gaps between an actor's consecutive events (in the later event's cohort), counted
    in buckets, per cohort (docs/timeout_advisor.md): the chart to read beside
    rpt_session_timeouts. Bucket edges: fixed minutes, the candidate timeouts and every
    configured timeout, so each of them is an edge. A bucket holds the gaps greater than
    its lower edge and at most its upper one (the first from 0, the last without end).
    Counted from int_event_gap_groups, which buckets every gap among these edges.
-#}
{{- rudderstack_check_gap_group_edges() }}
{%- set edges = rudderstack_gap_histogram_edges() %}

with gap_groups as (

    select
        cohort,
        gap_bucket,
        event_count
    from {{ ref('int_event_gap_groups') }}

),

advice as (

    {#- Every cohort with events, with its configured and suggested timeouts (to mark on a chart). #}
    select
        cohort,
        configured_timeout_minutes,
        suggested_timeout_minutes
    from {{ ref('rpt_session_timeouts') }}
    where is_suggested

),

buckets as (

    {%- for upper in edges + [none] %}
    select
        cast({{ loop.index }} as {{ dbt.type_int() }}) as bucket_number,
        cast({{ 0 if loop.first else edges[loop.index0 - 1] }} as {{ dbt.type_bigint() }}) as lower_microseconds,
        cast({{ 'null' if upper is none else upper }} as {{ dbt.type_bigint() }}) as upper_microseconds
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}

),

counted as (

    select
        cohort,
        gap_bucket as bucket_number,
        sum(event_count) as gap_count
    from gap_groups
    where gap_bucket is not null
    group by cohort, gap_bucket

),

totals as (

    select
        cohort,
        sum(gap_count) as cohort_gap_count
    from counted
    group by cohort

),

final as (

    select
        advice.cohort,
        buckets.bucket_number,
        {{ rudderstack_minutes_from_microseconds('buckets.lower_microseconds') }} as gap_above_minutes,
        {{ rudderstack_minutes_from_microseconds('buckets.upper_microseconds') }} as gap_up_to_minutes,
        cast(coalesce(counted.gap_count, 0) as {{ dbt.type_bigint() }}) as gap_count,
        {{ ratio_6_decimals('coalesce(counted.gap_count, 0)', 'coalesce(totals.cohort_gap_count, 0)') }} as gap_share,
        advice.configured_timeout_minutes,
        advice.suggested_timeout_minutes
    from advice
    cross join buckets
    left join counted
        on advice.cohort = counted.cohort and buckets.bucket_number = counted.bucket_number
    left join totals
        on advice.cohort = totals.cohort

)

select * from final
