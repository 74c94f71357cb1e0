{#-
    The order of events within an actor or a session (SPEC 2.3): by time, then by
    event id compared byte by byte, so ties are broken the same way on every engine.
-#}
{% macro event_order(event_at='event_at', event_id='event_id') -%}
    {{ event_at }}, {{ rudderstack_sessions.binary_collation(event_id) }}
{%- endmacro %}
