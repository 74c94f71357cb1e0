{#-
    CTEs that Spark computes once (docs/decisions/0010-spark-stages.md).

    Spark inlines every CTE of a statement wherever it is referenced, and dbt-spark's
    incremental materialization wraps the model in a temporary view, where even a
    non-deterministic CTE is inlined. A state model's incremental query is a chain of
    CTEs each read by several later ones, so its plan grows with the product of their
    references: state_sessions' held 18,774 Parquet scans and took 40 s to plan, and
    59 to 99 s of an incremental run on the demo data, for a few dozen rows.

    On Spark, on an incremental `dbt run` or `dbt build` (a run's rows are few), each CTE
    a model declares with rudderstack_cte is written once, while dbt renders the model,
    as a table `<model>__stage_<name>` in the model's schema (`create table ... as with
    <the CTEs before it> <its query>`), and the model's query reads it by that name. A
    table, not `cache table`: a cached view keeps its query's plan, which Spark
    re-analyses and prints at every reference, so a chain of them grows the same way.
    Elsewhere, on full builds (whose CTEs hold the whole history, which must stream) and
    in `dbt compile`, rudderstack_cte writes the CTE as it is, with the DuckDB and
    PostgreSQL hint `small` asks for (rudderstack_cte_hint).

    Usage, in a model:
        {%- set ctes = rudderstack_ctes(window) %}
        with
        {% call rudderstack_cte(ctes, 'events', small=true) %} select ... {% endcall %},
        {% call rudderstack_cte(ctes, 'stored', stage=false) %} select ... {% endcall %}
        select ... from events ...
    and the model's post-hook drops the stage tables: rudderstack_drop_stages().

    Only where partitions are rewritten (Parquet, the default): on Delta and Iceberg the
    model's pre-hook deletes stored rows after the model is rendered, so the stages
    would see rows the query must not.
-#}
{% macro rudderstack_ctes(window) -%}
    {%- set stage = execute
        and model.resource_type == 'model'
        and flags.WHICH in ['run', 'build']
        and window.is_incremental
        and is_incremental()
        and rudderstack_sessions.rudderstack_rewrites_partitions() -%}
    {{ return({'stage': stage, 'definitions': []}) }}
{%- endmacro %}


{#-
    One CTE `name` (its query: the call block's body) of the list `ctes`
    (rudderstack_ctes). `small`: the hint for DuckDB and PostgreSQL (none: no hint).
    `stage`: false for a CTE not worth computing apart (a plain read of a table, which a
    later stage filters as it reads).
-#}
{% macro rudderstack_cte(ctes, name, small=none, stage=true) -%}
    {%- set query = caller() -%}
    {%- if ctes.stage and stage -%}
        {%- set table = rudderstack_sessions.rudderstack_stage_name(name) -%}
        {%- set earlier = 'with ' ~ ctes.definitions | join(',\n') ~ '\n' if ctes.definitions else '' -%}
        {%- do run_query("drop table if exists " ~ table) -%}
        {%- do run_query("create table " ~ table ~ " using parquet as " ~ earlier ~ query) -%}
        {%- set definition = name ~ ' as (select * from ' ~ table ~ ')' -%}
    {%- else -%}
        {%- set hint = rudderstack_sessions.rudderstack_cte_hint(small) if small is not none else '' -%}
        {%- set definition = name ~ ' as ' ~ hint ~ ' (' ~ query ~ ')' -%}
    {%- endif -%}
    {%- do ctes.definitions.append(definition) -%}
    {{ definition }}
{%- endmacro %}


{#- The table of a model's stage: <model>__stage_<name>, in the model's schema. -#}
{% macro rudderstack_stage_name(name) -%}
    {{ return(this.incorporate(path={'identifier': this.identifier ~ '__stage_' ~ name})) }}
{%- endmacro %}


{#-
    Post-hook of a model that declares CTEs with rudderstack_cte: on Spark, drop the
    stage tables its render wrote (those of an earlier run that failed too). Nothing to
    run elsewhere.
-#}
{% macro rudderstack_drop_stages() -%}
    {%- if execute and rudderstack_sessions.rudderstack_is_spark() -%}
        {%- set tables = run_query(
            "show tables in " ~ this.schema ~ " like '" ~ this.identifier ~ "__stage_*'") -%}
        {%- for row in tables.rows if not row['isTemporary'] -%}
            {%- do run_query('drop table if exists ' ~ this.schema ~ '.' ~ row['tableName']) -%}
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}
