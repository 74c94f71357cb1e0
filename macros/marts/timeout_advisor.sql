{#-
    The timeout advisor (docs/timeout_advisor.md): int_event_gap_groups, and the two
    reports that read it, rpt_session_timeouts and rpt_session_gap_histogram. Every
    timeout and gap is a whole number of microseconds, compared exactly, as the gap rule
    compares them (macros/sessionization/sessionize_by_gap.sql).
-#}

{#- The fixed edges of the gap histogram, in minutes (the candidates and the configured timeouts are added). -#}
{% macro rudderstack_gap_histogram_minutes() -%}
    {{ return([1, 2, 5, 10, 15, 30, 45, 60, 120, 240, 480, 1440, 10080]) }}
{%- endmacro %}


{#-
    The histogram's edges in microseconds, increasing: the fixed minutes, every candidate
    and every configured timeout, so each timeout is an edge.
-#}
{% macro rudderstack_gap_histogram_edges() -%}
    {%- set edges = rudderstack_sessions.rudderstack_timeout_candidates()
        + rudderstack_sessions.session_timeouts().values() | list -%}
    {%- for minutes in rudderstack_sessions.rudderstack_gap_histogram_minutes() -%}
        {%- do edges.append(rudderstack_sessions.rudderstack_minutes_to_microseconds(minutes)) -%}
    {%- endfor -%}
    {{ return(edges | unique | sort) }}
{%- endmacro %}


{#- The percentiles of the gaps that rpt_session_timeouts shows (nearest rank). -#}
{% macro rudderstack_gap_percentiles() -%}
    {{ return([50, 75, 90, 95, 99]) }}
{%- endmacro %}


{#-
    The knee rule, for a cohort without SDK pairs: the smallest timeout whose next larger
    candidate merges at most this percentage of its sessions.
-#}
{% macro rudderstack_knee_percent() -%}
    {{ return(2) }}
{%- endmacro %}


{#- Minutes as microseconds, as the gap rule rounds them (macros/sessionization/session_timeouts.sql). -#}
{% macro rudderstack_minutes_to_microseconds(minutes) -%}
    {{ return((minutes * 60 * 1000000) | round | int) }}
{%- endmacro %}


{#-
    Var rudderstack_timeout_candidates_minutes, validated: a non-empty list of positive
    numbers of minutes. Returns them in microseconds, distinct and in increasing order.
-#}
{% macro rudderstack_timeout_candidates() -%}
    {%- set value = var('rudderstack_timeout_candidates_minutes') -%}
    {%- set example = "--vars '{rudderstack_timeout_candidates_minutes: [5, 10, 30, 60]}'" -%}
    {%- if value is none or value is string or value is mapping or value is not iterable or value | length == 0 -%}
        {{ exceptions.raise_compiler_error(
            "var 'rudderstack_timeout_candidates_minutes' must be a non-empty list of timeouts in minutes, got '"
            ~ value ~ "'. Example: " ~ example
        ) }}
    {%- endif -%}
    {%- set microseconds = [] -%}
    {%- for minutes in value -%}
        {%- if minutes is boolean or minutes is not number or minutes <= 0 -%}
            {{ exceptions.raise_compiler_error(
                "var 'rudderstack_timeout_candidates_minutes': candidate '" ~ minutes
                ~ "' must be a positive number of minutes (in " ~ value ~ "). Example: " ~ example
            ) }}
        {%- endif -%}
        {%- do microseconds.append(rudderstack_sessions.rudderstack_minutes_to_microseconds(minutes)) -%}
    {%- endfor -%}
    {{ return(microseconds | unique | sort) }}
{%- endmacro %}


{#-
    One row per event of `events` (a relation or CTE with actor_id, event_id, event_at,
    cohort, sdk_session_id): the pair it closes with the actor's previous event, in
    (event_at, event_id) order, counted in the later event's cohort.
      is_first_event            1 on the actor's first event, else 0
      gap_microseconds          from the actor's previous event; NULL on its first
      is_sdk_same_session       both events carry an SDK session id: whether they are equal; else NULL
      is_sessionless            the event carries no SDK session id
      derived_gap_microseconds  a session-less event: from the actor's previous session-less
                                event (the gap the derived sessions are cut on); else NULL
    One window sort per actor; the previous session-less event comes out of the same sort.
-#}
{% macro rudderstack_event_gaps(events) -%}
    {%- set actor_order -%}
        partition by actor_id order by {{ rudderstack_sessions.event_order() }}
    {%- endset -%}
    select
        cohort,
        case when previous_at is null then 1 else 0 end as is_first_event,
        {{ rudderstack_sessions.epoch_microseconds('event_at') }}
        - {{ rudderstack_sessions.epoch_microseconds('previous_at') }} as gap_microseconds,
        case
            when sdk_session_id is not null and previous_sdk_session_id is not null
                then sdk_session_id = previous_sdk_session_id
        end as is_sdk_same_session,
        sdk_session_id is null as is_sessionless,
        case
            when sdk_session_id is null
                then {{ rudderstack_sessions.epoch_microseconds('event_at') }}
                - {{ rudderstack_sessions.epoch_microseconds('previous_sessionless_at') }}
        end as derived_gap_microseconds
    from (
        select
            cohort,
            event_at,
            sdk_session_id,
            lag(event_at) over ({{ actor_order }}) as previous_at,
            lag(sdk_session_id) over ({{ actor_order }}) as previous_sdk_session_id,
            max(case when sdk_session_id is null then event_at end) over (
                {{ actor_order }}
                rows between unbounded preceding and 1 preceding
            ) as previous_sessionless_at
        from {{ events }}
    ) as ordered
{%- endmacro %}


{#-
    The bucket of a gap among increasing edges (microseconds): the first edge it does not
    exceed (1, 2, ...), len(edges) + 1 past the last; NULL for a NULL gap. So a gap is
    greater than edge j exactly when its bucket is greater than j.
-#}
{% macro rudderstack_gap_bucket(gap_expression, edges) -%}
    cast(case
        when {{ gap_expression }} is null then null
        {%- for edge in edges %}
        when {{ gap_expression }} <= {{ edge }} then {{ loop.index }}
        {%- endfor %}
        else {{ edges | length + 1 }}
    end as {{ dbt.type_int() }})
{%- endmacro %}


{#- Whole microseconds as minutes, rounded down to 6 decimals (exact on every engine). -#}
{% macro rudderstack_minutes_from_microseconds(microseconds_expression) -%}
    {{ rudderstack_sessions.seconds_from_microseconds(
        'cast((' ~ microseconds_expression ~ ' - mod(' ~ microseconds_expression ~ ', 60)) / 60 as '
        ~ dbt.type_bigint() ~ ')'
    ) }}
{%- endmacro %}


{#-
    Both reports read int_event_gap_groups, whose buckets are fixed by the edges (the
    candidates and configured timeouts) of the run that built it. Stops a report when the
    stored groups were counted with other edges than this run's vars give (the reports
    rebuilt alone with other candidates), naming the command that rebuilds them together:
    the counts would otherwise be silently wrong. Nothing in a unit test, or before the
    groups exist.
-#}
{% macro rudderstack_check_gap_group_edges() -%}
    {%- if not execute or model.resource_type == 'unit_test' -%}
        {{ return('') }}
    {%- endif -%}
    {%- set relation = rudderstack_sessions.rudderstack_model_relation('int_event_gap_groups') -%}
    {%- if relation is none -%}
        {{ return('') }}
    {%- endif -%}
    {%- set edges = rudderstack_sessions.rudderstack_gap_histogram_edges_text() -%}
    {%- set stored = run_query('select distinct histogram_edges_microseconds from ' ~ relation) -%}
    {%- for row in stored.rows if row[0] != edges -%}
        {{ exceptions.raise_compiler_error(
            "rudderstack_sessions: " ~ relation ~ " was counted with other histogram edges (candidate or"
            ~ " configured timeouts) than this run's vars give, so " ~ model.name ~ " would count wrong."
            ~ " Rebuild the groups with the reports, with the same vars: dbt build --select int_event_gap_groups+"
        ) }}
    {%- endfor -%}
{%- endmacro %}


{#- The histogram's edges as int_event_gap_groups stores them (histogram_edges_microseconds): comma-separated microseconds. -#}
{% macro rudderstack_gap_histogram_edges_text() -%}
    {{ return(rudderstack_sessions.rudderstack_gap_histogram_edges() | join(',')) }}
{%- endmacro %}
