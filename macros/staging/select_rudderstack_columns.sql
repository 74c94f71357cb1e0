{#-
    Select a RudderStack table's columns, renamed and cast, for the columns that exist
    at run time; every listed column that does not exist becomes a typed NULL, and a
    table that does not exist yields no rows. This is what lets one project build on
    web-only, mobile-only and server-only workspaces without edits.

    One select per source (rudderstack_sources) that holds the table, unioned; a column of
    kind 'source' is the source's name.

    table_key: the source table name in _rudderstack__sources.yml.
    columns:   a list of [raw name(s), output name, kind]. Raw name is a column name
               or a list of candidates (the first non-null of those that exist wins).
               kind: 'id' (text, blank -> NULL), 'string', 'timestamp' (UTC, no time
               zone), 'boolean', 'session_id' (the SDK session id as digits text), or
               'passthrough' (the type the column has in the warehouse), or 'raw' (the
               column as stored, for filters that prune; a timestamp NULL when missing), or
               'raw_id' (the id as stored, as text: not trimmed, so a filter on it prunes).
    required:  lists of alternative raw names; a table with none of a list's columns
               gets a warning, as all of its rows will be rejected.
-#}
{% macro select_rudderstack_columns(table_key, columns, required=[]) -%}
    {#- The table in every source (rudderstack_sources), with the columns each holds. -#}
    {%- set present_in = [] -%}
    {%- for name, relation in rudderstack_sessions.rudderstack_source_relations(table_key) -%}
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


{% macro rudderstack_column_type(kind, passthrough_type=none) -%}
    {%- if kind in ['timestamp', 'raw'] -%}
        {{ return(dbt.type_timestamp()) }}
    {%- elif kind == 'boolean' -%}
        {{ return(dbt.type_boolean()) }}
    {%- elif kind == 'passthrough' -%}
        {{ return(passthrough_type or dbt.type_string()) }}
    {%- else -%}
        {{ return(dbt.type_string()) }}
    {%- endif -%}
{%- endmacro %}


{% macro rudderstack_cast_column(column, kind, passthrough_type=none) -%}
    {%- set quoted = adapter.quote(column.name) -%}
    {%- if kind == 'raw' -%}
        {{ return(quoted) }}
    {%- elif kind == 'raw_id' -%}
        {{ return("cast(" ~ quoted ~ " as " ~ dbt.type_string() ~ ")") }}
    {%- elif kind == 'timestamp' -%}
        {{ return(rudderstack_sessions.to_utc_timestamp(quoted, column.data_type)) }}
    {%- elif kind == 'id' -%}
        {{ return(rudderstack_sessions.rudderstack_id_value("cast(" ~ quoted ~ " as " ~ dbt.type_string() ~ ")")) }}
    {%- elif kind == 'session_id' and not column.is_string() -%}
        {#- Numeric ids (bigint as RudderStack types them, or a float) print as plain digits. -#}
        {{ return("cast(cast(" ~ quoted ~ " as " ~ dbt.type_bigint() ~ ") as " ~ dbt.type_string() ~ ")") }}
    {%- elif kind == 'session_id' -%}
        {{ return("nullif(trim(" ~ quoted ~ "), '')") }}
    {%- else -%}
        {{ return("cast(" ~ quoted ~ " as " ~ rudderstack_sessions.rudderstack_column_type(kind, passthrough_type) ~ ")") }}
    {%- endif -%}
{%- endmacro %}


{#-
    An id as staged (README, "Data quality and safety"): surrounding spaces trimmed; an id
    of whitespace alone (space, tab, line feed, vertical tab, form feed, carriage return)
    is missing, NULL. trim() removes spaces only, so `nullif(trim(id), '')` once kept an id
    of tabs as an event while rejecting one of spaces.
-#}
{% macro rudderstack_id_value(expression) -%}
    case
        when translate({{ expression }}, ' ' || chr(9) || chr(10) || chr(11) || chr(12) || chr(13), '') = '' then null
        else trim({{ expression }})
    end
{%- endmacro %}
