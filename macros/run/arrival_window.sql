{#-
    When a raw row arrived, and the filters that select a run's rows by it
    (docs/sessionization.md, "The run window").
-#}

{#- Where a row arrived: its load time when the table has one, else its receive time. -#}
{% macro rudderstack_arrival_at(loaded_at='loaded_at', received_at='received_at') -%}
    coalesce({{ loaded_at }}, {{ received_at }}, cast('1970-01-01 00:00:00' as {{ dbt.type_timestamp() }}))
{%- endmacro %}


{#-
    The rows of one raw table (its staging model `staging`) whose arrival_at is after
    `lower` (none: no lower bound) and at most `upper` (none: no upper bound), as a list
    of conditions whose rows, taken together (union all), are exactly those rows, each
    on the raw load columns as stored (raw_uuid_ts, raw_received_at), so that every
    engine can prune the raw scan with it: DuckDB's zone maps, PostgreSQL's indexes,
    Parquet's statistics. arrival_at, a coalesce of converted columns, prunes nothing.
    lower, upper: naive UTC datetimes. A column stored as text cannot be compared as
    stored: its table falls back to one condition on arrival_at. So does, unless `prune`
    says otherwise, a window with no lower bound (a full build), which reads everything
    anyway: one scan is cheaper than one per condition there.
-#}
{% macro rudderstack_arrival_filters(staging, lower, upper, prune=none) -%}
    {%- set fallback = [rudderstack_sessions.rudderstack_arrival_condition('arrival_at', lower, upper, dbt.type_timestamp())] -%}
    {%- set prune = (lower is not none) if prune is none else prune -%}
    {%- if not prune or not execute -%}
        {{ return(fallback) }}
    {%- endif -%}
    {#-
        The raw load columns' types, as the staging view passes them through (a typed NULL
        when the table lacks one, which every condition below handles as a NULL value).
    -#}
    {%- set staged = {} -%}
    {%- for column in adapter.get_columns_in_relation(ref(staging)) -%}
        {%- do staged.update({column.name | lower: column.data_type | lower}) -%}
    {%- endfor -%}
    {%- set types = {} -%}
    {%- for name in ['uuid_ts', 'received_at'] -%}
        {%- set data_type = staged.get('raw_' ~ name, '') -%}
        {%- if 'time zone' in data_type and 'without time zone' not in data_type or data_type == 'timestamptz' -%}
            {%- do types.update({name: rudderstack_sessions.type_timestamptz()}) -%}
        {%- elif data_type.startswith('timestamp') -%}
            {%- do types.update({name: dbt.type_timestamp()}) -%}
        {%- else -%}
            {{ return(fallback) }}
        {%- endif -%}
    {%- endfor -%}
    {%- set epoch = modules.datetime.datetime(1970, 1, 1) -%}
    {%- set epoch_in_window = (lower is none or epoch > lower) and (upper is none or epoch <= upper) -%}
    {%- set conditions = [] -%}
    {%- set none_before = [] -%}
    {%- for name in ['uuid_ts', 'received_at'] if name in types -%}
        {%- do conditions.append((none_before + [rudderstack_sessions.rudderstack_arrival_condition('raw_' ~ name, lower, upper, types[name])])
            | join(' and ')) -%}
        {%- do none_before.append('raw_' ~ name ~ ' is null') -%}
    {%- endfor -%}
    {%- if epoch_in_window -%}
        {%- do conditions.append((none_before or ['1 = 1']) | join(' and ')) -%}
    {%- endif -%}
    {{ return(conditions or ['1 = 0']) }}
{%- endmacro %}


{#- column > lower and column <= upper, the bounds as literals of `sql_type` (UTC). -#}
{% macro rudderstack_arrival_condition(column, lower, upper, sql_type) -%}
    {%- set parts = [] -%}
    {%- if lower is not none -%}
        {%- do parts.append(column ~ ' > ' ~ rudderstack_sessions.rudderstack_typed_utc_literal(lower, sql_type)) -%}
    {%- endif -%}
    {%- if upper is not none -%}
        {%- do parts.append(column ~ ' <= ' ~ rudderstack_sessions.rudderstack_typed_utc_literal(upper, sql_type)) -%}
    {%- endif -%}
    {{ return(parts | join(' and ') or '1 = 1') }}
{%- endmacro %}


{#- A naive UTC datetime as a literal of a timestamp type, with its offset when the type has a time zone. -#}
{% macro rudderstack_typed_utc_literal(value, sql_type) -%}
    {%- set text = value.strftime('%Y-%m-%d %H:%M:%S.%f') -%}
    {%- if sql_type == dbt.type_timestamp() -%}
        {{ return("cast('" ~ text ~ "' as " ~ sql_type ~ ")") }}
    {%- endif -%}
    {{ return("cast('" ~ text ~ "+00:00' as " ~ sql_type ~ ")") }}
{%- endmacro %}


{#-
    The rows of a raw table (its staging model `staging`) in the window (lower, upper],
    selecting `columns`: one select per condition of rudderstack_arrival_filters, with
    union all. The table is aliased arrived_rows (for a correlated extra_condition).
-#}
{% macro rudderstack_rows_arrived(staging, columns, lower, upper, extra_condition=none, prune=none) -%}
    {%- for condition in rudderstack_sessions.rudderstack_arrival_filters(staging, lower, upper, prune) %}
    select {{ columns | join(', ') }}
    from {{ ref(staging) }} as arrived_rows
    where {{ condition }}{% if extra_condition %} and {{ extra_condition }}{% endif %}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
{%- endmacro %}
