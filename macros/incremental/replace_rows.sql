{#-
    How an incremental run replaces stored rows (docs/decisions/0006-spark.md).

    A state model names the stored rows a run replaces with a condition over `stored`
    (the model's table), never NULL: EXISTS, not IN (Spark evaluates `not (x in (...))`
    with a null-aware nested loop join, quadratic). Engines that delete rows (DuckDB, PostgreSQL,
    Spark on Delta or Iceberg) delete them in a pre-hook, then insert the new rows.
    Spark on plain Parquet tables cannot delete: there each state model is partitioned
    by a date and the run overwrites the partitions it touches (insert_overwrite,
    dynamic), so the model's query adds back the stored rows of those partitions that
    the condition does not replace. Either way the table ends as a full refresh would
    leave it.
-#}

{#- Spark, or Databricks (dbt-databricks, which dispatches to the same spark__ macros). -#}
{% macro rudderstack_is_spark() -%}
    {{ return(target.type in ['spark', 'databricks']) }}
{%- endmacro %}


{#- True when incremental runs rewrite partitions instead of deleting rows. -#}
{% macro rudderstack_rewrites_partitions() -%}
    {{ return(rudderstack_sessions.rudderstack_is_spark() and rudderstack_sessions.rudderstack_spark_file_format() == 'parquet') }}
{%- endmacro %}


{#-
    Spark: the table format, dbt's model config file_format: parquet (this project's
    default, dbt_project.yml), delta or iceberg. A model config rather than a var: dbt
    renders dbt_project.yml's configs before any var a project sets, so a var there would
    reach the tables only from the command line.
-#}
{% macro rudderstack_spark_file_format() -%}
    {#- While dbt parses, config.get answers '': the node's project-level config holds it. -#}
    {%- set file_format = config.get('file_format') if execute else none -%}
    {%- if not file_format and model is mapping and model.get('config') is mapping -%}
        {%- set file_format = model.config.get('file_format') -%}
    {%- endif -%}
    {%- set file_format = file_format or 'parquet' -%}
    {%- if file_format not in ['parquet', 'delta', 'iceberg'] -%}
        {{ exceptions.raise_compiler_error(
            "the model config file_format must be parquet, delta or iceberg for rudderstack_sessions, got '"
            ~ file_format ~ "'. Set it in your dbt_project.yml, for example: "
            ~ "models: {rudderstack_sessions: {+file_format: delta}}"
        ) }}
    {%- endif -%}
    {{ return(file_format) }}
{%- endmacro %}


{#-
    The config of a state model: `strategy` (append, or delete+insert on unique_key) on
    DuckDB and PostgreSQL; on Spark, insert_overwrite of the `partition_column`
    partitions for Parquet, else append / merge on unique_key (Delta, Iceberg).
    `lookups`: the column lists an incremental run finds stored rows by; on PostgreSQL
    each gets an index, created with the table, so a run reads the rows it looks up,
    not the whole table (DuckDB's zone maps and hash joins need none; its ART indexes
    would slow every insert and delete). Only the indexes incremental plans use are
    listed (pg_stat_user_indexes.idx_scan after a bench run): each costs the full build
    its sort (state_events' anonymous_id index 0.9 s at 1M events, never scanned), and
    every run its upkeep. Also on PostgreSQL, a table a run has filled from empty gets
    statistics on those columns at once (rudderstack_analyze_rebuilt_state).
-#}
{% macro rudderstack_state_config(strategy, partition_column, unique_key=none, lookups=[]) -%}
    {%- set config = {'materialized': 'incremental', 'incremental_strategy': strategy, 'unique_key': unique_key} -%}
    {%- if target.type == 'postgres' -%}
        {%- set indexes, columns = [], [] -%}
        {%- for lookup in lookups -%}
            {%- set lookup_columns = [lookup] if lookup is string else lookup -%}
            {%- do indexes.append({'columns': lookup_columns}) -%}
            {%- do columns.extend(lookup_columns) -%}
        {%- endfor -%}
        {%- do config.update({
            'indexes': indexes,
            'post_hook': "{{ rudderstack_sessions.rudderstack_analyze_rebuilt_state("
                ~ tojson(columns | unique | list) ~ ") }}",
        }) -%}
    {%- endif -%}
    {%- if rudderstack_sessions.rudderstack_is_spark() -%}
        {%- if rudderstack_sessions.rudderstack_spark_file_format() == 'parquet' -%}
            {%- do config.update({
                'incremental_strategy': 'insert_overwrite', 'partition_by': [partition_column], 'unique_key': none,
            }) -%}
        {%- elif strategy == 'delete+insert' -%}
            {%- do config.update({'incremental_strategy': 'merge'}) -%}
        {%- endif -%}
    {%- endif -%}
    {{ return(config) }}
{%- endmacro %}


{#-
    Post-hook of a state model on PostgreSQL, after a full run (first run, --full-refresh,
    changed settings): ANALYZE, so that the next run's plans see the rows just written.
    A table built by CREATE TABLE AS has no statistics until autovacuum samples it, which
    may be minutes later, so the run after a full build was planned either way: the
    bench's incremental step swung between 9.8 s and 30.3 s at 1M events on how soon it
    came (the plan that statistics give state_sessions: planner_hints, hash_joins).
    Now every run plans as the later ones will. Incremental runs add a day to millions
    of rows: their statistics stay close, and autovacuum refreshes them. `columns`: the
    table's lookup columns, the ones its plans filter and join on (every column of a
    wide table: 0.9 s of sampling at 1M events); none, every column.
-#}
{% macro rudderstack_analyze_rebuilt_state(columns=[]) -%}
    {%- if execute and not rudderstack_sessions.rudderstack_run_window().is_incremental -%}
        analyze {{ this }}{% if columns %} ({{ columns | join(', ') }}){% endif %}
    {%- endif -%}
{%- endmacro %}


{#-
    Pre-hook of a state model. On an existing table: a full run (the window says so)
    empties it; an incremental run deletes the rows `condition` replaces (none: nothing
    here, the strategy replaces them by unique_key), except where partitions are rewritten.
-#}
{% macro rudderstack_delete_replaced_rows(condition=none) -%}
    {%- if execute and is_incremental() -%}
        {%- if not rudderstack_sessions.rudderstack_run_window().is_incremental -%}
            {{ rudderstack_sessions.rudderstack_clear_table(this) }}
        {%- elif condition is not none and not rudderstack_sessions.rudderstack_rewrites_partitions() -%}
            delete from {{ this }} as stored where {{ condition }}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}


{#-
    The stored rows of a state model, as its own query reads them: the table on an
    incremental run; on a full one (first run, --full-refresh, changed settings) none,
    as `empty` (a relation or CTE with the same columns, filtered to nothing).
-#}
{% macro rudderstack_stored_rows(window, empty) -%}
    {%- if window.is_incremental and is_incremental() -%}
        select * from {{ this }}
    {%- else -%}
        select * from {{ empty }} where 1 = 0
    {%- endif -%}
{%- endmacro %}


{#-
    The same stored rows, read narrow (`columns` only) with each row's locator
    (rudderstack_row_locator of the table's `key`), so a model can find the few rows it
    needs by key before reading their other columns (rudderstack_stored_by_locator).
-#}
{% macro rudderstack_stored_keys(window, empty, key, columns) -%}
    {%- if window.is_incremental and is_incremental() -%}
        select {{ rudderstack_sessions.rudderstack_row_locator(key) }} as row_locator, {{ columns | join(', ') }} from {{ this }}
    {%- else -%}
        select {{ key }} as row_locator, {{ columns | join(', ') }} from {{ empty }} where 1 = 0
    {%- endif -%}
{%- endmacro %}


{#- The whole stored rows whose locators the CTE `locators` (column row_locator) holds. -#}
{% macro rudderstack_stored_by_locator(window, empty, key, locators) -%}
    {%- if window.is_incremental and is_incremental() -%}
        select * from {{ this }}
        where {{ rudderstack_sessions.rudderstack_row_locator(key) }} in (select {{ locators }}.row_locator from {{ locators }})
    {%- else -%}
        select * from {{ empty }} where 1 = 0
    {%- endif -%}
{%- endmacro %}


{#-
    The final select of a state model: the rows of `cte`; where partitions are
    rewritten, plus the stored rows of every partition touched (by a new row or a
    replaced one) that `condition` does not replace.
-#}
{% macro rudderstack_select_with_unreplaced_rows(cte, condition, partition_column, window) -%}
    select * from {{ cte }}
    {%- if execute and rudderstack_sessions.rudderstack_rewrites_partitions() and window.is_incremental and is_incremental() %}
    union all
    select stored.*
    from {{ this }} as stored
    where
        stored.{{ partition_column }} in (
            select {{ partition_column }} from {{ cte }}
            union
            select stored.{{ partition_column }} from {{ this }} as stored where {{ condition }}
        )
        and not ({{ condition }})
    {%- endif %}
{%- endmacro %}


{#- The condition of a model keyed by event_id: the stored rows of the events in `relation`. -#}
{% macro rudderstack_events_replaced(relation) -%}
    exists (select 1 from {{ relation }} as run_events where run_events.event_id = stored.event_id)
{%- endmacro %}


{#- Remove every row of a table (Spark's Parquet tables have no DELETE). -#}
{% macro rudderstack_clear_table(relation) -%}
    {{ return(adapter.dispatch('rudderstack_clear_table', 'rudderstack_sessions')(relation)) }}
{%- endmacro %}

{% macro default__rudderstack_clear_table(relation) -%}
    delete from {{ relation }}
{%- endmacro %}

{% macro spark__rudderstack_clear_table(relation) -%}
    {%- if rudderstack_sessions.rudderstack_rewrites_partitions() -%}
        truncate table {{ relation }}
    {%- else -%}
        delete from {{ relation }}
    {%- endif -%}
{%- endmacro %}


{#- The rows a table keyed by arrival replaces: those of the run's window (none on a full run, which replaces all). -#}
{% macro rudderstack_arrival_window_replaced() -%}
    {%- set window = rudderstack_sessions.rudderstack_run_window() -%}
    {%- if window.cutoff_at is none -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return('stored.arrival_at > ' ~ rudderstack_sessions.rudderstack_timestamp_literal(window.cutoff_at)) }}
{%- endmacro %}



{#-
    Pre-hook of a table rebuilt whole at every run but never dropped (fct_conversions): an
    incremental run empties it in the transaction that refills it, so readers see the old
    rows or the new ones, and a view that reads it (fct_sessions) is never dropped with it
    (dbt's table materialization replaces a PostgreSQL table by a rename and a drop ...
    cascade). Spark instead overwrites the whole table (insert_overwrite, no partitions).
-#}
{% macro rudderstack_replace_all_rows() -%}
    {%- if execute and is_incremental() and not rudderstack_sessions.rudderstack_is_spark() -%}
        delete from {{ this }}
    {%- endif -%}
{%- endmacro %}
