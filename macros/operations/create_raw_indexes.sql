{#-
    dbt run-operation rudderstack_create_raw_indexes [--args '{schema: NAME}']
    (every source's tables, rudderstack_sources; with `schema`, that schema's only)

    PostgreSQL: the indexes on the raw RudderStack tables that let an incremental run read
    only its window (docs/sessionization.md, "The run window") and find the earlier
    deliveries of the events it received:
      - (uuid_ts): the window's main condition;
      - (received_at) where uuid_ts is null: its condition for rows without uuid_ts;
      - (id), as stored: the probe for the earlier deliveries of the ids a run received
        (int_events_received_earlier). An index of an
        earlier version on the trimmed id (<table>_rudderstack_id), which no run uses
        now, is dropped.
    One statement per index, `create index if not exists`, named <table>_rudderstack_*;
    tables or columns a workspace lacks are skipped. Run it once; RudderStack's loader keeps
    the indexes up to date as it appends. Other engines need none (DuckDB prunes with its
    zone maps, Spark with Parquet statistics): the operation says so and does nothing.
-#}
{% macro rudderstack_create_raw_indexes(schema=none) -%}
    {%- if target.type != 'postgres' -%}
        {{ log("rudderstack_create_raw_indexes: nothing to do on " ~ target.type
            ~ " (only PostgreSQL needs indexes on the raw tables)", info=true) }}
        {{ return('') }}
    {%- endif -%}
    {%- set created = [] -%}
    {%- set relations = [] -%}
    {%- for table_key in ['tracks', 'pages', 'screens', 'identifies'] -%}
        {%- for name, declared in rudderstack_sessions.rudderstack_source_relations(table_key)
            if schema is none or loop.first -%}
            {%- do relations.append(api.Relation.create(
                database=declared.database, schema=schema or declared.schema, identifier=declared.identifier)) -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- for relation in relations -%}
        {%- set existing = rudderstack_sessions.rudderstack_existing_columns(relation) -%}
        {%- if existing is none -%}
            {{ log("rudderstack_create_raw_indexes: no table " ~ relation ~ ", skipped", info=true) }}
        {%- else -%}
            {%- set indexes = [] -%}
            {%- if 'uuid_ts' in existing -%}
                {%- do indexes.append(['uuid_ts', '("uuid_ts")', '']) -%}
            {%- endif -%}
            {%- if 'received_at' in existing -%}
                {%- do indexes.append(['received_at', '("received_at")',
                    ' where "uuid_ts" is null' if 'uuid_ts' in existing else '']) -%}
            {%- endif -%}
            {%- if 'id' in existing -%}
                {%- do indexes.append(['raw_id', '("id")', '']) -%}
            {%- endif -%}
            {%- set obsolete = api.Relation.create(database=relation.database, schema=relation.schema,
                identifier=(relation.identifier ~ '_rudderstack_id')[:63]) -%}
            {%- do run_query('drop index if exists ' ~ obsolete) -%}
            {%- for suffix, expression, condition in indexes -%}
                {%- set name = (relation.identifier ~ '_rudderstack_' ~ suffix)[:63] -%}
                {%- do run_query('create index if not exists ' ~ adapter.quote(name) ~ ' on ' ~ relation
                    ~ ' ' ~ expression ~ condition) -%}
                {%- do created.append(relation.identifier ~ '.' ~ suffix) -%}
            {%- endfor -%}
            {%- do run_query('analyze ' ~ relation) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ log("rudderstack_create_raw_indexes: indexes on " ~ (created | join(', ') or 'nothing'), info=true) }}
{%- endmacro %}
