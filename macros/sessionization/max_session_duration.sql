{#-
    The cap on a session's duration, in one place (docs/sessionization.md, "Sessions").

    Var max_session_duration_hours: off (null) by default, since a manual SDK session may
    rightly last days. When set, a session (SDK or derived) whose events span more than
    the cap is cut into consecutive pieces at each whole cap after its first event, a pure
    function of the uncut session: an event `elapsed` microseconds after the uncut
    session's first event is in piece 0 when elapsed <= cap (a session of exactly the cap
    is not cut), else in piece k for k caps < elapsed <= k + 1 caps. Pieces with no event
    do not exist (an SDK session idle for days can go from piece 0 to piece 6). Each piece
    is a session; piece 0 keeps the uncut session's id, piece k adds '|k' to what the id
    hashes (session_id_hash).
-#}

{#- The cap in whole microseconds, validated, or none when it is off. -#}
{% macro max_session_duration_microseconds() -%}
    {%- set hours = rudderstack_sessions.rudderstack_positive_number_var(
        'max_session_duration_hours', 'hours', "--vars '{max_session_duration_hours: 24}'", allow_null=true) -%}
    {%- if hours is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set microseconds = (hours * 3600 * 1000000) | round | int -%}
    {%- if microseconds < 1 -%}
        {{ exceptions.raise_compiler_error(
            "var 'max_session_duration_hours' must be a positive number of hours, or null (off), got '" ~ hours
            ~ "': less than a microsecond. Example: --vars '{max_session_duration_hours: 24}'") }}
        {#- (Not reachable from --vars: YAML reads 1e-12 as text, which the check above refuses.) -#}
    {%- endif -%}
    {{ return(microseconds) }}
{%- endmacro %}


{#-
    The sessionized events of `relation` (sessionize_by_gap's columns: session_started_at,
    the uncut session's first event time, and event_number_in_session) with
      session_piece          the piece of the event's session it falls in (bigint)
      event_number_in_piece  1, 2, ... within the piece
    `cap`: max_session_duration_microseconds(); none leaves every event in piece 0 as it is
    (no sort). The uncut session is (actor_id, sdk_session_id, session_started_at).
-#}
{% macro cut_at_max_session_duration(relation, cap) -%}
    {#- Integer arithmetic only, exact on every engine: the division is of an exact multiple. -#}
    {%- set elapsed = 'uncut.session_elapsed_microseconds' -%}
    {%- if cap is none -%}
    select
        uncut.*,
        cast(0 as {{ dbt.type_bigint() }}) as session_piece,
        uncut.event_number_in_session as event_number_in_piece
    from {{ relation }} as uncut
    {%- else -%}
    select
        cut.*,
        cast(row_number() over (
            partition by cut.actor_id, cut.sdk_session_id, cut.session_started_at, cut.session_piece
            order by {{ rudderstack_sessions.event_order('cut.event_at', 'cut.event_id') }}
        ) as {{ dbt.type_bigint() }}) as event_number_in_piece
    from (
        {#- elapsed: never negative, the start is the uncut session's first event #}
        select
            uncut.*,
            case
                when {{ elapsed }} > {{ cap }}
                    then cast(({{ elapsed }} - 1 - mod({{ elapsed }} - 1, {{ cap }})) / {{ cap }} as {{ dbt.type_bigint() }})
                else cast(0 as {{ dbt.type_bigint() }})
            end as session_piece
        from (
            select
                uncut_input.*,
                {{ rudderstack_sessions.epoch_microseconds('uncut_input.event_at') }}
                - {{ rudderstack_sessions.epoch_microseconds('uncut_input.session_started_at') }}
                    as session_elapsed_microseconds
            from {{ relation }} as uncut_input
        ) as uncut
    ) as cut
    {%- endif -%}
{%- endmacro %}
