{#-
    Flags on fct_sessions for sessions no person would make (README, "Data quality and
    safety"): flagged, never dropped, so that an analyst decides what to leave out.

    is_long_session: the session lasts more than rudderstack_long_session_hours() (24 hours,
    documented here and in the README): a manual SDK session left open, a tab that keeps
    firing events, a monitor.
    has_automated_event_rate: the session's events came faster than var
    rudderstack_automated_events_per_minute on average (event_count over its duration, a
    session shorter than a minute counted as a minute): a crawler, a load test, a retry
    loop. Per session: an analyst who wants the actor's other sessions too groups by actor_id.
-#}
{% macro rudderstack_long_session_hours() -%}
    {{ return(24) }}
{%- endmacro %}


{#- Var rudderstack_automated_events_per_minute, validated: a positive number. -#}
{% macro rudderstack_automated_events_per_minute() -%}
    {{ return(rudderstack_sessions.rudderstack_positive_number_var(
        'rudderstack_automated_events_per_minute', 'events per minute',
        "--vars '{rudderstack_automated_events_per_minute: 120}'")) }}
{%- endmacro %}


{#- The two flags, as columns over a session's duration_seconds and event_count. -#}
{% macro rudderstack_session_flags() -%}
    duration_seconds > {{ rudderstack_sessions.rudderstack_long_session_hours() * 3600 }} as is_long_session,
    {#- events per minute > rate, multiplied out: no division to round (exact on every engine) #}
    event_count * 60 > {{ rudderstack_sessions.rudderstack_automated_events_per_minute() }}
        * greatest(duration_seconds, 60) as has_automated_event_rate
{%- endmacro %}
