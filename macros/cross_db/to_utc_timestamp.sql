{#-
    Normalise a raw time column to a timestamp without time zone, in UTC, whatever
    the warehouse stored it as, and whatever the session's time zone is:
    - timestamptz: converted to UTC;
    - timestamp without time zone: taken as UTC already;
    - text: an ISO-8601 time (rudderstack_is_iso_time) converted from its offset when it
      has one ('Z', '+02:00'), else taken as UTC; any other text (blank, a typo, a date
      that does not exist) is NULL, never a failed build: the row is then rejected or
      falls back as a missing value would (README, "Data quality and safety").
    source_data_type is the column's type as the adapter reports it.
-#}
{% macro to_utc_timestamp(column_expression, source_data_type) -%}
    {%- set data_type = source_data_type | lower -%}
    {%- set timestamp_type = dbt.type_timestamp() -%}
    {%- set text_expression = rudderstack_sessions.rudderstack_time_as_text(column_expression, data_type) -%}
    {%- if 'time zone' in data_type and 'without time zone' not in data_type or data_type == 'timestamptz' -%}
        {{ rudderstack_sessions.utc_from_timestamptz(column_expression) }}
    {%- elif text_expression is none -%}
        cast({{ column_expression }} as {{ timestamp_type }})
    {%- else -%}
        {%- set column_expression = text_expression -%}
        case
            when not {{ rudderstack_sessions.rudderstack_is_iso_time(column_expression) }} then null
            when {{ rudderstack_sessions.text_has_utc_offset(column_expression) }}
                then {{ rudderstack_sessions.utc_from_timestamptz(
                    'cast(' ~ column_expression ~ ' as ' ~ rudderstack_sessions.type_timestamptz() ~ ')') }}
            else cast({{ column_expression }} as {{ timestamp_type }})
        end
    {%- endif -%}
{%- endmacro %}


{#-
    A time column to read as text: itself when it is text, cast to text when its type is
    one no time belongs in (a number); none when it holds times (timestamp, date).
-#}
{% macro rudderstack_time_as_text(column_expression, data_type) -%}
    {%- set data_type = data_type | lower -%}
    {%- if data_type.startswith('timestamp') or data_type == 'date' or 'time zone' in data_type -%}
        {{ return(none) }}
    {%- elif rudderstack_sessions.rudderstack_is_text_type(data_type) -%}
        {{ return(column_expression) }}
    {%- endif -%}
    {{ return('cast(' ~ column_expression ~ ' as ' ~ dbt.type_string() ~ ')') }}
{%- endmacro %}


{#- Whether a column type (as the adapter reports it) holds text: Spark's `string` too. -#}
{% macro rudderstack_is_text_type(data_type) -%}
    {%- set data_type = data_type | lower -%}
    {{ return('char' in data_type or 'text' in data_type or 'string' in data_type) }}
{%- endmacro %}


{#-
    True when a raw time value is there but is not a time (to_utc_timestamp made it NULL):
    for the rejection reason 'invalid_timestamp'. Never true for a column of times.
-#}
{% macro rudderstack_time_is_invalid(column_expression, source_data_type) -%}
    {%- set text_expression = rudderstack_sessions.rudderstack_time_as_text(column_expression, source_data_type) -%}
    {%- if text_expression is none -%}
        false
    {%- else -%}
        coalesce(not {{ rudderstack_sessions.rudderstack_is_iso_time(text_expression) }}, false)
    {%- endif -%}
{%- endmacro %}


{#-
    True when a text is an ISO-8601 time every engine reads the same way, false when it
    is not, NULL when it is NULL: 'YYYY-MM-DD', optionally followed by 'T' or a space and
    'hh:mm', ':ss', '.ffffff' (at most microseconds), then an optional offset right after
    the time ('Z', '+02', '+02:00', '-0530', up to 14 hours), on a day that exists (no 0000-01-01, no
    February 30th). PostgreSQL 15 has no try_cast, so the pattern is what keeps a bad value
    from reaching a cast; the CASE keeps the day check from reading a text that did not
    match (PostgreSQL evaluates a CASE's branches in order, AND in any order).
-#}
{% macro rudderstack_is_iso_time(expression) -%}
    {%- set pattern = "'^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
        ~ "([T ]([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9]([.][0-9]{1,6})?)?"
        ~ "(Z|[+-](0[0-9]|1[0-4])(:?[0-5][0-9])?)?)?$'" -%}
    {%- set year = 'cast(substr(' ~ expression ~ ', 1, 4) as int)' -%}
    case
        when {{ expression }} is null then null
        when not {{ rudderstack_sessions.rudderstack_regex_matches(expression, pattern) }} then false
        when {{ year }} = 0 then false
        else cast(substr({{ expression }}, 9, 2) as int) <= case cast(substr({{ expression }}, 6, 2) as int)
            when 2 then case when {{ year }} % 4 = 0 and ({{ year }} % 100 <> 0 or {{ year }} % 400 = 0) then 29 else 28 end
            when 4 then 30
            when 6 then 30
            when 9 then 30
            when 11 then 30
            else 31
        end
    end
{%- endmacro %}


{#- An instant (timestamptz) as a UTC timestamp without time zone. -#}
{% macro utc_from_timestamptz(expression) -%}
    {{ return(adapter.dispatch('utc_from_timestamptz', 'rudderstack_sessions')(expression)) }}
{%- endmacro %}

{% macro default__utc_from_timestamptz(expression) -%}
    cast({{ expression }} at time zone 'UTC' as {{ dbt.type_timestamp() }})
{%- endmacro %}


{#- The engine's type for an instant: timestamptz, Spark's timestamp. -#}
{% macro type_timestamptz() -%}
    {{ return(adapter.dispatch('type_timestamptz', 'rudderstack_sessions')()) }}
{%- endmacro %}

{% macro default__type_timestamptz() -%}
    timestamptz
{%- endmacro %}

{#-
    Spark's `timestamp` is already an instant (stored in UTC, shown in the session time
    zone), and the Spark pre-hook sets the session time zone to UTC (planner_hints), so
    an instant is its UTC time; casting text with an offset to it converts correctly.
-#}
{% macro spark__type_timestamptz() -%}
    timestamp
{%- endmacro %}

{% macro spark__utc_from_timestamptz(expression) -%}
    cast({{ expression }} as timestamp)
{%- endmacro %}


{#- The pattern of an ISO-8601 text that ends in a UTC offset after its time. -#}
{% macro utc_offset_pattern() -%}
    '[0-9]:[0-9]{2}(:[0-9]{2}([.][0-9]+)?)?(Z|[+-][0-9]{2}(:?[0-9]{2})?)$'
{%- endmacro %}

{#- True when an ISO-8601 text ends in a UTC offset after its time ('...10:00:00Z', '...10:00+02:00'). -#}
{% macro text_has_utc_offset(expression) -%}
    {{ return(rudderstack_sessions.rudderstack_regex_matches(expression, rudderstack_sessions.utc_offset_pattern())) }}
{%- endmacro %}


{#- True when a text matches a regular expression (a SQL string literal, POSIX syntax). -#}
{% macro rudderstack_regex_matches(expression, pattern) -%}
    {{ return(adapter.dispatch('rudderstack_regex_matches', 'rudderstack_sessions')(expression, pattern)) }}
{%- endmacro %}

{% macro default__rudderstack_regex_matches(expression, pattern) -%}
    ({{ expression }} ~ {{ pattern }})
{%- endmacro %}

{% macro spark__rudderstack_regex_matches(expression, pattern) -%}
    ({{ expression }} rlike {{ pattern }})
{%- endmacro %}

{% macro duckdb__rudderstack_regex_matches(expression, pattern) -%}
    regexp_matches({{ expression }}, {{ pattern }})
{%- endmacro %}
