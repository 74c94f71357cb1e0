{#-
    The timeout advisor (docs/timeout_advisor.md): one row per cohort and candidate timeout
    (var rudderstack_timeout_candidates_minutes, and the cohort's configured timeout), with
    the sessions the gap rule would make at it, its agreement with the SDK's sessions, the
    cohort's gap percentiles, and one suggested timeout per cohort. Counted from
    int_event_gap_groups (the events' pairs, grouped), never from the events themselves.
-#}
{{- rudderstack_check_gap_group_edges() }}
{%- set candidates = rudderstack_timeout_candidates() %}
{%- set configured = session_timeouts() %}
{%- set timeouts = (candidates + configured.values() | list) | unique | sort %}
{#- Every timeout is a histogram edge: a gap's bucket among the edges answers "greater than" for each. #}
{%- set edges = rudderstack_gap_histogram_edges() %}
{%- set knee_percent = rudderstack_knee_percent() %}

with gap_groups as (

    select
        {%- for p in rudderstack_gap_percentiles() %}
        gap_p{{ p }}_microseconds,
        {%- endfor %}
        cohort,
        is_first_event,
        is_sessionless,
        is_sdk_same_session,
        gap_bucket,
        derived_gap_bucket,
        event_count
    from {{ ref('int_event_gap_groups') }}

),

timeouts as (

    {%- for timeout in timeouts %}
    select
        cast({{ edges.index(timeout) + 1 }} as {{ dbt.type_int() }}) as edge_number,
        cast({{ timeout }} as {{ dbt.type_bigint() }}) as timeout_microseconds,
        {{ 'true' if timeout in candidates else 'false' }} as is_candidate
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}

),

cohorts as (

    select
        cohort,
        {{ cohort_timeout_microseconds('cohort') }} as configured_microseconds
    from gap_groups
    group by cohort

),

cohort_timeouts as (

    {#- The candidates, and the cohort's configured timeout. #}
    select
        cohorts.cohort,
        cohorts.configured_microseconds,
        timeouts.edge_number,
        timeouts.timeout_microseconds
    from cohorts
    inner join timeouts
        on cohorts.configured_microseconds = timeouts.timeout_microseconds or timeouts.is_candidate

),

evaluated as (

    {#- A gap is greater than the timeout of edge j exactly when its bucket is greater than j. #}
    select
        cohort_timeouts.cohort,
        cohort_timeouts.timeout_microseconds,
        cohort_timeouts.configured_microseconds,
        sum(gap_groups.event_count) as event_count,
        sum(case when gap_groups.gap_bucket is not null then gap_groups.event_count else 0 end) as gap_count,
        sum(
            case
                when gap_groups.is_first_event = 1 or gap_groups.gap_bucket > cohort_timeouts.edge_number
                    then gap_groups.event_count
                else 0
            end
        ) as session_count,
        sum(
            case
                when
                    gap_groups.is_sessionless
                    and (
                        gap_groups.derived_gap_bucket is null
                        or gap_groups.derived_gap_bucket > cohort_timeouts.edge_number
                    )
                    then gap_groups.event_count
                else 0
            end
        ) as derived_session_count,
        sum(
            case when gap_groups.is_sdk_same_session is not null then gap_groups.event_count else 0 end
        ) as sdk_pair_count,
        sum(case when gap_groups.is_sdk_same_session then gap_groups.event_count else 0 end)
            as sdk_same_session_pair_count,
        {#- Both say "same session" (gap within the timeout, equal ids), or both say "new". #}
        sum(
            case
                when gap_groups.is_sdk_same_session and gap_groups.gap_bucket <= cohort_timeouts.edge_number
                    then gap_groups.event_count
                when not gap_groups.is_sdk_same_session and gap_groups.gap_bucket > cohort_timeouts.edge_number
                    then gap_groups.event_count
                else 0
            end
        ) as agreeing_pair_count
    from cohort_timeouts
    inner join gap_groups
        on cohort_timeouts.cohort = gap_groups.cohort
    group by cohort_timeouts.cohort, cohort_timeouts.timeout_microseconds, cohort_timeouts.configured_microseconds

),

percentiles as (

    {#- The cohort's gap percentiles: the same on each of its groups. #}
    select
        {%- for p in rudderstack_gap_percentiles() %}
        max(gap_p{{ p }}_microseconds) as gap_p{{ p }}_microseconds,
        {%- endfor %}
        cohort
    from gap_groups
    group by cohort

),

knee as (

    select
        *,
        lead(session_count) over (partition by cohort order by timeout_microseconds) as next_session_count
    from evaluated

),

suggestions as (

    {#-
        With SDK pairs: the most agreeing pairs, ties to the configured timeout when it is
        among them, else to the smallest. Without: the
        smallest timeout whose next candidate merges at most {{ knee_percent }}% of its
        sessions (the largest when none does).
    #}
    select
        *,
        row_number() over (
            partition by cohort
            order by
                agreeing_pair_count desc,
                case
                    when
                        sdk_pair_count = 0
                        and next_session_count is not null
                        and 100 * (session_count - next_session_count) > {{ knee_percent }} * session_count
                        then 1
                    else 0
                end,
                case when sdk_pair_count > 0 and timeout_microseconds = configured_microseconds then 0 else 1 end,
                timeout_microseconds
        ) as suggestion_rank
    from knee

),

final as (

    select
        suggestions.cohort,
        {{ rudderstack_minutes_from_microseconds('suggestions.timeout_microseconds') }} as candidate_timeout_minutes,
        suggestions.timeout_microseconds = suggestions.configured_microseconds as is_configured,
        suggestions.suggestion_rank = 1 as is_suggested,
        {{ rudderstack_minutes_from_microseconds('suggestions.configured_microseconds') }}
            as configured_timeout_minutes,
        {{ rudderstack_minutes_from_microseconds('suggested.timeout_microseconds') }} as suggested_timeout_minutes,
        case when suggestions.sdk_pair_count > 0 then 'sdk_agreement' else 'session_count_knee' end
            as suggestion_rule,
        cast(suggestions.event_count as {{ dbt.type_bigint() }}) as event_count,
        cast(suggestions.gap_count as {{ dbt.type_bigint() }}) as gap_count,
        {%- for p in rudderstack_gap_percentiles() %}
        {{ rudderstack_minutes_from_microseconds('percentiles.gap_p' ~ p ~ '_microseconds') }} as gap_p{{ p }}_minutes,
        {%- endfor %}
        cast(suggestions.session_count as {{ dbt.type_bigint() }}) as session_count,
        cast(suggestions.derived_session_count as {{ dbt.type_bigint() }}) as derived_session_count,
        cast(suggestions.sdk_pair_count as {{ dbt.type_bigint() }}) as sdk_pair_count,
        cast(suggestions.sdk_same_session_pair_count as {{ dbt.type_bigint() }}) as sdk_same_session_pair_count,
        {{ ratio_6_decimals('suggestions.agreeing_pair_count', 'suggestions.sdk_pair_count') }}
            as sdk_pair_agreement
    from suggestions
    inner join suggestions as suggested
        on suggestions.cohort = suggested.cohort and suggested.suggestion_rank = 1
    left join percentiles
        on suggestions.cohort = percentiles.cohort

)

select * from final
