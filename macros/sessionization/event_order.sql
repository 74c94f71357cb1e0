{#-
    The order of events within an actor or a session (docs/sessionization.md, "Sessions"): by time, then by
    event id compared byte by byte, so ties are broken the same way on every engine.
-#}
{% macro event_order(event_at='event_at', event_id='event_id') -%}
    {{ event_at }}, {{ rudderstack_sessions.binary_collation(event_id) }}
{%- endmacro %}


{#-
    The later event comes strictly after the earlier one in event_order (a later time,
    or the same time and a greater event id, byte by byte): the same order as a SQL
    condition between two rows.
-#}
{% macro event_is_after(later, earlier) -%}
    (
        {{ later }}.event_at > {{ earlier }}.event_at
        or (
            {{ later }}.event_at = {{ earlier }}.event_at
            and {{ rudderstack_sessions.binary_collation(later ~ '.event_id') }}
            > {{ rudderstack_sessions.binary_collation(earlier ~ '.event_id') }}
        )
    )
{%- endmacro %}
