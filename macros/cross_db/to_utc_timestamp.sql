{#-
    Normalise a raw time column to a timestamp without time zone, in UTC, whatever
    the warehouse stored it as (timestamptz, naive timestamp, or ISO-8601 text).
    source_data_type is the column's type as the adapter reports it.
-#}
{% macro to_utc_timestamp(column_expression, source_data_type) -%}
    {{ return(adapter.dispatch('to_utc_timestamp', 'rudderstack_sessions')(column_expression, source_data_type)) }}
{%- endmacro %}

{% macro default__to_utc_timestamp(column_expression, source_data_type) -%}
    {%- set data_type = source_data_type | lower -%}
    {%- if 'time zone' in data_type and 'without time zone' not in data_type or data_type == 'timestamptz' -%}
        cast({{ column_expression }} at time zone 'UTC' as {{ dbt.type_timestamp() }})
    {%- elif data_type.startswith('timestamp') -%}
        cast({{ column_expression }} as {{ dbt.type_timestamp() }})
    {%- else -%}
        cast(cast({{ column_expression }} as timestamptz) at time zone 'UTC' as {{ dbt.type_timestamp() }})
    {%- endif -%}
{%- endmacro %}
