{#-
    Select a RudderStack table's columns, renamed and cast, for the columns that exist
    at run time; every listed column that does not exist becomes a typed NULL, and a
    table that does not exist yields no rows. This is what lets one project build on
    web-only, mobile-only and server-only workspaces without edits.

    One select per source (rudderstack_sources) that holds the table, unioned; a column of
    kind 'source' is the source's name.

    table_key: the source table name in _rudderstack__sources.yml.
    identifier: instead of table_key, a table of this name in every source (a track
               event's own table, such as order_completed).
    columns:   a list of [raw name(s), output name, kind]. Raw name is a column name
               or a list of candidates (the first non-null of those that exist wins).
               kind: 'id' (text byte for byte, whitespace alone -> NULL), 'string',
               'number' (numeric(28,6), NULL when not a number: rudderstack_number_value),
               'timestamp' (UTC, no time zone), 'invalid_timestamp' (true when the time
               column holds a value that is not a time, which 'timestamp' made NULL),
               'boolean', 'session_id' (the SDK session id as text), or 'passthrough' (the
               type the column has in the warehouse), or 'raw' (the column as stored, for
               filters that prune; a timestamp NULL when missing), or 'raw_id' (the id as
               stored, as text, with no CASE around it, so a filter on it prunes).
    required:  lists of alternative raw names; a table with none of a list's columns
               gets a warning, as all of its rows will be rejected.
-#}
{% macro select_rudderstack_columns(table_key, columns, required=[], identifier=none) -%}
    {#- The table in every source (rudderstack_sources), with the columns each holds. -#}
    {%- set present_in = [] -%}
    {%- for name, relation in rudderstack_sessions.rudderstack_source_relations(table_key, identifier) -%}
        {%- set existing = rudderstack_sessions.rudderstack_existing_columns(relation) -%}
        {%- if existing is not none -%}
            {%- do present_in.append((name, relation, existing)) -%}
        {%- endif -%}
        {%- for alternatives in required if existing is not none
            and alternatives | select('in', existing) | list | length == 0 -%}
            {%- do exceptions.warn(
                "RudderStack table " ~ relation ~ " has no column " ~ alternatives | join(' or ')
                ~ ": every row of it will be rejected (see int_events_rejected)."
            ) -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- set kinds = [] -%}
    {%- for column in columns -%}
        {%- do kinds.append(column[2]) -%}
    {%- endfor -%}
    {%- set passthrough_types = rudderstack_sessions.rudderstack_passthrough_types() if 'passthrough' in kinds else {} -%}
    {#-
        A load column kept as stored (kind raw, for filters that prune) whose type differs
        between sources cannot be one column of the union as stored: it is converted to UTC
        like any time column (correct, prunes less).
    -#}
    {%- set converted = [] -%}
    {%- for raw_names, output_name, kind in columns if kind == 'raw' -%}
        {%- set types = [] -%}
        {%- for name, relation, existing in present_in if raw_names in existing -%}
            {%- do types.append(existing[raw_names].data_type | lower) -%}
        {%- endfor -%}
        {%- if types | unique | list | length > 1 -%}
            {%- do converted.append(output_name) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- for source_name, source_relation, existing in (present_in or [(none, none, none)]) %}
    {{ 'union all' if not loop.first }}
    select
    {%- for raw_names, output_name, kind in columns %}
        {%- set kind = 'timestamp' if output_name in converted else kind %}
        {%- set candidates = [] if raw_names is none else [raw_names] if raw_names is string else raw_names %}
        {%- set present = [] %}
        {%- for candidate in candidates if existing is not none and candidate in existing %}
            {%- do present.append(rudderstack_sessions.rudderstack_cast_column(existing[candidate], kind, passthrough_types.get(output_name))) %}
        {%- endfor %}
        {%- if kind == 'source' and source_name is not none %}
        cast({{ rudderstack_sessions.sql_string(source_name) }} as {{ dbt.type_string() }}) as {{ output_name }}
        {%- elif present | length == 0 %}
        cast(null as {{ rudderstack_sessions.rudderstack_column_type(kind, passthrough_types.get(output_name)) }}) as {{ output_name }}
        {%- elif present | length == 1 %}
        {{ present[0] }} as {{ output_name }}
        {%- else %}
        coalesce({{ present | join(', ') }}) as {{ output_name }}
        {%- endif %}
        {{- ',' if not loop.last }}
    {%- endfor %}
    {%- if existing is not none %}
    from {{ source_relation }}
    {%- else %}
    where 1 = 0
    {%- endif %}
    {%- endfor %}
{%- endmacro %}


{#- Column name (lower case) -> Column for an existing relation; none when it does not exist. -#}
{% macro rudderstack_existing_columns(source_relation) -%}
    {%- if not execute -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set relation = adapter.get_relation(
        database=source_relation.database,
        schema=source_relation.schema,
        identifier=source_relation.identifier,
    ) -%}
    {%- if relation is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set columns = {} -%}
    {%- for column in adapter.get_columns_in_relation(relation) -%}
        {%- do columns.update({column.name | lower: column}) -%}
    {%- endfor -%}
    {{ return(columns) }}
{%- endmacro %}


{#- The SQL type of a staged column of a kind (select_rudderstack_columns), for a typed NULL. -#}
{% macro rudderstack_column_type(kind, passthrough_type=none) -%}
    {%- if kind in ['timestamp', 'raw'] -%}
        {{ return(dbt.type_timestamp()) }}
    {%- elif kind in ['boolean', 'invalid_timestamp'] -%}
        {{ return(dbt.type_boolean()) }}
    {%- elif kind == 'passthrough' -%}
        {{ return(passthrough_type or dbt.type_string()) }}
    {%- elif kind == 'number' -%}
        {{ return(dbt.type_numeric()) }}
    {%- else -%}
        {{ return(dbt.type_string()) }}
    {%- endif -%}
{%- endmacro %}


{#- One raw column as staged, by its kind (select_rudderstack_columns). -#}
{% macro rudderstack_cast_column(column, kind, passthrough_type=none) -%}
    {%- set quoted = adapter.quote(column.name) -%}
    {%- if kind == 'raw' -%}
        {{ return(quoted) }}
    {%- elif kind == 'raw_id' -%}
        {{ return("cast(" ~ quoted ~ " as " ~ dbt.type_string() ~ ")") }}
    {%- elif kind == 'timestamp' -%}
        {{ return(rudderstack_sessions.to_utc_timestamp(quoted, column.data_type)) }}
    {%- elif kind == 'invalid_timestamp' -%}
        {{ return(rudderstack_sessions.rudderstack_time_is_invalid(quoted, column.data_type)) }}
    {%- elif kind == 'id' -%}
        {{ return(rudderstack_sessions.rudderstack_id_value("cast(" ~ quoted ~ " as " ~ dbt.type_string() ~ ")")) }}
    {%- elif kind == 'session_id' and not rudderstack_sessions.rudderstack_is_text_type(column.data_type) -%}
        {{ return(rudderstack_sessions.rudderstack_numeric_session_id(quoted, column.data_type)) }}
    {%- elif kind == 'session_id' -%}
        {{ return(rudderstack_sessions.rudderstack_id_value(quoted)) }}
    {%- elif kind == 'number' -%}
        {{ return(rudderstack_sessions.rudderstack_number_value(quoted, column.data_type)) }}
    {%- else -%}
        {{ return("cast(" ~ quoted ~ " as " ~ rudderstack_sessions.rudderstack_column_type(kind, passthrough_type) ~ ")") }}
    {%- endif -%}
{%- endmacro %}


{#-
    An id as staged (README, "Data quality and safety"): the raw value byte for byte, as
    text; an id of whitespace alone (space, tab, line feed, vertical tab, form feed,
    carriage return) is missing, NULL. Ids that differ in any byte, surrounding spaces
    included, are different ids: trimming them made two raw ids one event.
-#}
{% macro rudderstack_id_value(expression) -%}
    case
        when translate({{ expression }}, ' ' || chr(9) || chr(10) || chr(11) || chr(12) || chr(13), '') = '' then null
        else {{ expression }}
    end
{%- endmacro %}


{#-
    An SDK session id stored as a number, as text: a whole number in the signed 64-bit
    range prints as its digits (RudderStack stores the SDK's millisecond epoch as bigint);
    any other value (a fraction, 1e20, NaN) is no session id the SDK wrote, and is NULL:
    the event's session is derived from time gaps (README, "Data quality and safety").
    Engines round fractions and overflow differently, so none of them is trusted to.
-#}
{% macro rudderstack_numeric_session_id(expression, data_type) -%}
    {%- set as_text = "cast(cast(" ~ expression ~ " as " ~ dbt.type_bigint() ~ ") as " ~ dbt.type_string() ~ ")" -%}
    {%- if data_type | lower in ['tinyint', 'smallint', 'integer', 'int', 'bigint', 'int2', 'int4', 'int8'] -%}
        {{ return(as_text) }}
    {%- endif -%}
    {{ return(
        "case when " ~ expression ~ " >= -9223372036854775808 and " ~ expression ~ " < 9223372036854775808"
        ~ " then case when " ~ expression ~ " = floor(" ~ expression ~ ") then " ~ as_text ~ " end end"
    ) }}
{%- endmacro %}
