{#-
    dbt run-operation register_rudderstack_parquet --args '{path: DIR, schema: NAME}'

    Spark: registers raw RudderStack data exported as Parquet as the source tables of
    this project. DIR holds one file (tracks.parquet) or one folder of files (tracks/)
    per table: tracks, pages, screens, identifies (the names of vars
    rudderstack_*_table), any of which may be absent, and the per-event track tables
    (order_completed, which conversions read: every other file or folder whose name is a
    plain table name). Each becomes an external table NAME.<table>
    over its files (dropping it never deletes them; columns merged across files, so
    older files may lack newer columns). Run it again after adding files. Then build
    with --vars '{rudderstack_schema: NAME}'.
-#}
{% macro register_rudderstack_parquet(path, schema) -%}
    {%- if not rudderstack_sessions.rudderstack_is_spark() -%}
        {{ exceptions.raise_compiler_error(
            "register_rudderstack_parquet registers Parquet files as Spark tables; target '" ~ target.name
            ~ "' is " ~ target.type ~ ". Run it with --target spark"
        ) }}
    {%- endif -%}
    {%- if path is not string or schema is not string or not path or not schema -%}
        {{ exceptions.raise_compiler_error(
            "register_rudderstack_parquet needs a directory and a schema name, for example:"
            ~ " dbt run-operation register_rudderstack_parquet --args '{path: /data/rudderstack, schema: rudderstack_raw}'"
        ) }}
    {%- endif -%}
    {%- set root = path.rstrip('/') -%}
    {#- Every file under the directory, listed by Spark itself (the file contents are not read). -#}
    {%- set listing -%}
        create or replace temporary view rudderstack_parquet_files
        using binaryFile
        options (path {{ rudderstack_sessions.sql_string(root) }}, recursiveFileLookup 'true', pathGlobFilter '*.parquet')
    {%- endset -%}
    {%- do run_query(listing) -%}
    {%- set files = run_query('select path from rudderstack_parquet_files').columns[0].values() -%}
    {%- do run_query('create schema if not exists ' ~ adapter.quote(schema)) -%}
    {%- set registered = [] -%}
    {#- The four tables (dropped when their files are gone), then every other table the directory holds. -#}
    {%- set tables = [] -%}
    {%- for table_var in ['rudderstack_tracks_table', 'rudderstack_pages_table', 'rudderstack_screens_table',
                          'rudderstack_identifies_table'] -%}
        {%- do tables.append(var(table_var)) -%}
    {%- endfor -%}
    {%- for file in files -%}
        {%- set at = file.find(root.lstrip('/') ~ '/') -%}
        {%- set relative = file[at + (root.lstrip('/') | length) + 1:] if at >= 0 else '' -%}
        {%- set name = relative.split('/')[0] if '/' in relative else relative[:-8] -%}
        {%- if modules.re.fullmatch('[A-Za-z_][A-Za-z0-9_]*', name) and name not in tables -%}
            {%- do tables.append(name) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- for table in tables -%}
        {%- set relation = adapter.quote(schema) ~ '.' ~ adapter.quote(table) -%}
        {%- set found = namespace(location=none) -%}
        {%- for file in files -%}
            {#- Spark lists file:/DIR/..., hdfs://host/DIR/..., s3a://bucket/DIR/...: the part after DIR. -#}
            {%- set at = file.find(root.lstrip('/') ~ '/') -%}
            {%- set relative = file[at + (root.lstrip('/') | length) + 1:] if at >= 0 else '' -%}
            {%- if relative == table ~ '.parquet' -%}
                {%- set found.location = root ~ '/' ~ table ~ '.parquet' -%}
            {%- elif relative.startswith(table ~ '/') and found.location is none -%}
                {%- set found.location = root ~ '/' ~ table -%}
            {%- endif -%}
        {%- endfor -%}
        {%- set location = found.location -%}
        {%- do run_query('drop table if exists ' ~ relation) -%}
        {%- if location is not none -%}
            {%- do run_query(
                'create table ' ~ relation ~ ' using parquet options (mergeSchema \'true\') location '
                ~ rudderstack_sessions.sql_string(location)) -%}
            {%- do registered.append(table ~ ' (' ~ location ~ ')') -%}
        {%- endif -%}
    {%- endfor -%}
    {{ log("register_rudderstack_parquet: " ~ schema ~ " holds " ~ (registered | join(', ') or 'no tables: no '
        ~ 'tracks, pages, screens or identifies .parquet file or folder in ' ~ root), info=true) }}
{%- endmacro %}
