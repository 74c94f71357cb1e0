{#-
    The RudderStack sources this project reads (README, "Several RudderStack sources").

    RudderStack's warehouse destination writes each source (a web site, an iOS app, a
    server) to a schema of its own. var rudderstack_sources lists them:
        [{name: web, schema: web_prod}, {name: android, schema: android_prod, database: raw}]
    and the staging views union the same table of every source, each row carrying its
    source's `name` (source_name). var rudderstack_schema (with rudderstack_database) is the
    shorthand for one source, named after its schema; with neither, the demo seeds, source
    'demo'. Returns a list of {name, database, schema}, validated.

    The dbt source `rudderstack` (_rudderstack__sources.yml) points at the first of them:
    lineage, `dbt source freshness` and the demo seeds' dependency go through it. A yml
    file cannot call a macro, so its database and schema restate which source is first
    (and the demo schema): a change to that rule here must be made there too.
-#}
{% macro rudderstack_sources() -%}
    {%- set listed = var('rudderstack_sources', none) -%}
    {%- set example = "--vars '{rudderstack_sources: [{name: web, schema: web_prod}, {name: ios, schema: ios_prod}]}'" -%}
    {%- set default_database = var('rudderstack_database', none) or target.get('database') -%}
    {%- if rudderstack_sessions.rudderstack_uses_demo_data() -%}
        {{ return([{'name': 'demo', 'database': target.get('database'),
                    'schema': target.schema ~ '_rudderstack_demo'}]) }}
    {%- endif -%}
    {%- if listed is none -%}
        {{ return([{'name': var('rudderstack_schema'), 'database': default_database,
                    'schema': var('rudderstack_schema')}]) }}
    {%- endif -%}
    {%- if var('rudderstack_schema', none) is not none -%}
        {{ exceptions.raise_compiler_error(
            "vars rudderstack_sources and rudderstack_schema are both set: rudderstack_schema is the shorthand"
            ~ " for one source; list every schema in rudderstack_sources instead. Example: " ~ example
        ) }}
    {%- endif -%}
    {%- if listed is string or listed is mapping or listed is not iterable or listed | length == 0 -%}
        {{ exceptions.raise_compiler_error(
            "var 'rudderstack_sources' must be a list of sources, each {name, schema, database (optional)}, got '"
            ~ listed ~ "'. Example: " ~ example
        ) }}
    {%- endif -%}
    {%- set sources, names = [], [] -%}
    {%- for item in listed -%}
        {%- set where = "var 'rudderstack_sources', source " ~ loop.index -%}
        {%- if item is not mapping -%}
            {{ exceptions.raise_compiler_error(
                where ~ " must be a mapping {name, schema, database}, got '" ~ item ~ "'. Example: " ~ example) }}
        {%- endif -%}
        {%- set unknown = item.keys() | reject('in', ['name', 'schema', 'database']) | list -%}
        {%- if unknown -%}
            {{ exceptions.raise_compiler_error(
                where ~ " has unknown keys " ~ unknown | join(', ') ~ " (its keys: name, schema, database)."
                ~ " Example: " ~ example) }}
        {%- endif -%}
        {%- for key in ['name', 'schema'] if item.get(key) is not string or item.get(key) | trim == '' -%}
            {{ exceptions.raise_compiler_error(
                where ~ " needs a non-empty '" ~ key ~ "', got '" ~ item.get(key) ~ "'. Example: " ~ example) }}
        {%- endfor -%}
        {%- if item.name in names -%}
            {{ exceptions.raise_compiler_error(
                where ~ ": the name '" ~ item.name ~ "' is used twice; each source needs its own. Example: " ~ example) }}
        {%- endif -%}
        {%- do names.append(item.name) -%}
        {%- do sources.append({'name': item.name, 'database': item.get('database') or default_database,
                               'schema': item.schema}) -%}
    {%- endfor -%}
    {{ return(sources) }}
{%- endmacro %}


{#-
    Whether the sources are the demo seeds (seeds/rudderstack_demo): neither var
    rudderstack_schema nor rudderstack_sources is set. The seeds' own `enabled` config
    (seeds/rudderstack_demo/_rudderstack_demo.yml) restates it, as yml config must.
-#}
{% macro rudderstack_uses_demo_data() -%}
    {{ return(var('rudderstack_schema', none) is none and var('rudderstack_sources', none) is none) }}
{%- endmacro %}


{#-
    [(source name, relation)] of one table (tracks, pages, screens or identifies) in every
    source: the table named by var rudderstack_<table>_table, whether it exists or not.
    With `identifier`, the table of that name instead (a track event's own table).
-#}
{% macro rudderstack_source_relations(table_key, identifier=none) -%}
    {%- set identifier = identifier or source('rudderstack', table_key).identifier -%}
    {%- set relations = [] -%}
    {%- for item in rudderstack_sessions.rudderstack_sources() -%}
        {%- do relations.append((item.name, api.Relation.create(
            database=item.database, schema=item.schema, identifier=identifier))) -%}
    {%- endfor -%}
    {{ return(relations) }}
{%- endmacro %}
