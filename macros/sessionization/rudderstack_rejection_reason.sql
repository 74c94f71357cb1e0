{#-
    Why an activity row cannot be sessionized (docs/sessionization.md, "Rejection"), or NULL when it can: the
    rejection rule, in one place. The first failing check names the reason.
    time_is_invalid: true when event_at is NULL because the raw time was not a time (the
    staged column event_at_is_invalid); 'false' where only whether a row is rejected matters.
    future_at: the run window's future_at (rudderstack_run_window), for rows that may
    have arrived after it; none for rows that cannot have.
-#}
{% macro rudderstack_rejection_reason(time_is_invalid='event_at_is_invalid', future_at=none) -%}
    case
        when event_id is null then 'missing_event_id'
        when event_at is null and {{ time_is_invalid }} then 'invalid_timestamp'
        when event_at is null then 'missing_timestamp'
        when actor_id is null then 'missing_actor'
        {%- if future_at is not none %}
        when arrival_at > {{ rudderstack_sessions.rudderstack_timestamp_literal(future_at) }} then 'arrival_in_future'
        {%- endif %}
    end
{%- endmacro %}
