{#-
    Normalise a raw time column to a timestamp without time zone, in UTC, whatever
    the warehouse stored it as, and whatever the session's time zone is:
    - timestamptz: converted to UTC;
    - timestamp without time zone: taken as UTC already;
    - text (ISO-8601): converted from its offset when it has one ('Z', '+02:00'),
      else taken as UTC.
    source_data_type is the column's type as the adapter reports it.
-#}
{% macro to_utc_timestamp(column_expression, source_data_type) -%}
    {%- set data_type = source_data_type | lower -%}
    {%- set timestamp_type = dbt.type_timestamp() -%}
    {%- if 'time zone' in data_type and 'without time zone' not in data_type or data_type == 'timestamptz' -%}
        {{ rudderstack_sessions.utc_from_timestamptz(column_expression) }}
    {%- elif data_type.startswith('timestamp') -%}
        cast({{ column_expression }} as {{ timestamp_type }})
    {%- else -%}
        case
            when {{ rudderstack_sessions.text_has_utc_offset(column_expression) }}
                then {{ rudderstack_sessions.utc_from_timestamptz(
                    'cast(' ~ column_expression ~ ' as ' ~ rudderstack_sessions.type_timestamptz() ~ ')') }}
            else cast({{ column_expression }} as {{ timestamp_type }})
        end
    {%- endif -%}
{%- endmacro %}


{% macro utc_from_timestamptz(expression) -%}
    {{ return(adapter.dispatch('utc_from_timestamptz', 'rudderstack_sessions')(expression)) }}
{%- endmacro %}

{% macro default__utc_from_timestamptz(expression) -%}
    cast({{ expression }} at time zone 'UTC' as {{ dbt.type_timestamp() }})
{%- endmacro %}


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


{#- True when an ISO-8601 text ends in a UTC offset after its time ('...10:00:00Z', '...10:00+02:00'). -#}
{% macro text_has_utc_offset(expression) -%}
    {{ return(adapter.dispatch('text_has_utc_offset', 'rudderstack_sessions')(expression)) }}
{%- endmacro %}

{% macro utc_offset_pattern() -%}
    '[0-9]:[0-9]{2}(:[0-9]{2}([.][0-9]+)?)? ?(Z|z|[+-][0-9]{2}(:?[0-9]{2})?)$'
{%- endmacro %}

{% macro default__text_has_utc_offset(expression) -%}
    {{ expression }} ~ {{ rudderstack_sessions.utc_offset_pattern() }}
{%- endmacro %}

{% macro spark__text_has_utc_offset(expression) -%}
    {{ expression }} rlike {{ rudderstack_sessions.utc_offset_pattern() }}
{%- endmacro %}

{% macro duckdb__text_has_utc_offset(expression) -%}
    regexp_matches({{ expression }}, {{ rudderstack_sessions.utc_offset_pattern() }})
{%- endmacro %}
