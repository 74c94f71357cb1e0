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
    {%- set hours = var('max_session_duration_hours') -%}
    {%- if hours is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- if hours is boolean or hours is not number or hours <= 0 or (hours * 3600 * 1000000) | round | int < 1 -%}
        {{ exceptions.raise_compiler_error(
            "var 'max_session_duration_hours' must be a positive number of hours, or null (no cap), got '"
            ~ hours ~ "'. Example: --vars '{max_session_duration_hours: 24}'"
        ) }}
    {%- endif -%}
    {{ return((hours * 3600 * 1000000) | round | int) }}
{%- endmacro %}


{#-
    The piece an event falls in (bigint): from its microseconds after the uncut session's
    first event (a column or expression, never negative) and the cap in microseconds.
    Integer arithmetic only, exact on every engine: the division is of an exact multiple.
-#}
{% macro session_piece(elapsed_microseconds, cap_microseconds) -%}
    case
        when {{ elapsed_microseconds }} > {{ cap_microseconds }}
            then cast(
                ({{ elapsed_microseconds }} - 1 - mod({{ elapsed_microseconds }} - 1, {{ cap_microseconds }}))
                / {{ cap_microseconds }} as {{ dbt.type_bigint() }}
            )
        else cast(0 as {{ dbt.type_bigint() }})
    end
{%- endmacro %}
