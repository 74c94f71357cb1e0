{#-
    The fallback sessionizer: the gap rule, in one place.

    Returns a select of every column of `relation` plus
      partition_event_number   1, 2, ... over the partition's events in order
      is_new_session           true on the first event of each session
      session_started_at       the time of that first event
      event_number_in_session  1, 2, ... within the session
      session_id               session_id_hash(['derived', partition columns..., start in microseconds])
    Two window passes over one sort (partition, event_at, event_id): the minimum for
    gaps and islands.

    Rule (docs/sessionization.md, "Sessions"): per partition (typically the actor), in event_order, a
    session starts at the first event and whenever the gap to the previous event is
    strictly greater than the timeout of the later event's cohort. Gaps are compared
    exactly, in microseconds; a gap equal to the timeout stays in the session.

    relation:     a relation, a ref(), or the name of a CTE holding the events to
                  sessionize.
    partition_by: column name or list of names identifying the actor. (This project
                  passes ['actor_id', 'sdk_session_id']: an actor's events without an
                  SDK session id share the partition (actor, NULL).)
    cohort:       column holding each event's cohort, or none for a single timeout.
    timeouts:     cohort -> minutes; defaults to var('session_timeout_minutes').
    keep_together: optional SQL condition; an event for which it holds never starts a
                  session (but the first of its partition). This project passes
                  'sdk_session_id is not null' with the SDK session id in partition_by,
                  so SDK sessions come out of the same window pass, never split.
    with_session_id: false to leave out session_id: this project computes its own, so
                  that an SDK session's id does not depend on the partition columns.

    A team can call it on its own model, for example:
        select * from ({{ rudderstack_sessions.sessionize_by_gap(ref('my_events'),
            partition_by='device_id', cohort=none, timeouts={'default': 20}) }}) as s
-#}
{% macro sessionize_by_gap(
    relation,
    partition_by='actor_id',
    event_at='event_at',
    event_id='event_id',
    cohort='cohort',
    timeouts=none,
    keep_together=none,
    with_session_id=true
) -%}
    {%- set partition_columns = [partition_by] if partition_by is string else partition_by -%}
    {%- set event_order -%}
        partition by {{ partition_columns | join(', ') }}
        order by {{ rudderstack_sessions.event_order(event_at, event_id) }}
    {%- endset -%}
    {%- set id_parts = ["'derived'"] + partition_columns
        + [rudderstack_sessions.epoch_microseconds('session_started_at')] -%}
    select
        sessions_started.*
        {%- if with_session_id %},
        {{ rudderstack_sessions.session_id_hash(id_parts) }} as session_id
        {%- endif %}
    from (
        select
            gaps_flagged.*,
            max(case when is_new_session then {{ event_at }} end) over (
                {{ event_order }}
                rows between unbounded preceding and current row
            ) as session_started_at,
            partition_event_number + 1 - max(case when is_new_session then partition_event_number end) over (
                {{ event_order }}
                rows between unbounded preceding and current row
            ) as event_number_in_session
        from (
            select
                gap_input.*,
                cast(row_number() over ({{ event_order }}) as {{ dbt.type_bigint() }}) as partition_event_number,
                {%- if keep_together is not none %}
                case
                    when {{ keep_together }} then row_number() over ({{ event_order }}) = 1
                    else
                {%- endif %}
                coalesce(
                    {{ rudderstack_sessions.epoch_microseconds(event_at) }}
                    - {{ rudderstack_sessions.epoch_microseconds('lag(' ~ event_at ~ ') over (' ~ event_order ~ ')') }}
                    > {{ rudderstack_sessions.cohort_timeout_microseconds(cohort, timeouts) }},
                    true
                )
                {%- if keep_together is not none %}
                end
                {%- endif %} as is_new_session
            from {{ relation }} as gap_input
        ) as gaps_flagged
    ) as sessions_started
{%- endmacro %}
