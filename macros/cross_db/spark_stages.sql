{#-
    CTEs that Spark computes once (docs/decisions/0010-spark-stages.md).

    Spark inlines every CTE of a statement wherever it is referenced, and dbt-spark's
    incremental materialization wraps the model in a temporary view, where even a
    non-deterministic CTE is inlined. A state model's incremental query is a chain of
    CTEs each read by several later ones, so its plan grows with the product of their
    references: state_sessions' held 18,774 Parquet scans and took 40 s to plan, and
    59 to 99 s of an incremental run on the demo data, for a few dozen rows.

    On Spark, on an incremental `dbt run`, `build` or `retry` (a run's rows are few),
    each CTE a model marks as a stage (rudderstack_stage) is written once, while dbt
    renders the model, as a table `<model>__stage_<name>` in the model's schema (`create
    table ... as with <the CTEs before it> <its query>`), and the model's query reads it
    by that name. A table, not `cache table`: a cached view keeps its query's plan, which
    Spark re-analyses and prints at every reference, so a chain of them grows the same
    way. Elsewhere, on full builds (whose CTEs hold the whole history, which must stream)
    and in `dbt compile`, the CTE's query is left as it is.

    Usage, in a model (every CTE registered, in the order of the `with` list):
        {%- set ctes = rudderstack_ctes(window) %}
        with events as (
        {%- call rudderstack_stage(ctes, 'events') %} select ... {%- endcall %}
        ),
        stored as (
        {%- call rudderstack_stage(ctes, 'stored', stage=false) %} select ... {%- endcall %}
        )
        select ... from events ...
    and the model's post-hook drops the stage tables: rudderstack_drop_stages().

    Only where partitions are rewritten (Parquet, the default): on Delta and Iceberg the
    model's pre-hook deletes stored rows after the model is rendered, so the stages
    would see rows the query must not.
-#}
{% macro rudderstack_ctes(window) -%}
    {%- set stage = execute
        and model.resource_type == 'model'
        and flags.WHICH in ['run', 'build', 'retry']
        and window.is_incremental
        and is_incremental()
        and rudderstack_sessions.rudderstack_rewrites_partitions() -%}
    {%- if stage -%}
        {#-
            The stages are written now, before the model's pre-hooks run: set the session
            time zone as planner_hints does, or their casts to dates (the partition
            columns) would follow a cluster's default zone.
        -#}
        {%- do run_query(rudderstack_sessions.planner_hints()) -%}
    {%- endif -%}
    {{ return({'stage': stage, 'definitions': []}) }}
{%- endmacro %}


{#-
    The query of the CTE `name` (the call block's body, inside the CTE's parentheses),
    registered in `ctes` (rudderstack_ctes) for the stages after it. Where stages are
    written and `stage` is true: written to its stage table, and read from it. `stage`:
    false for a CTE not worth writing apart (a plain read of a table, which a later stage
    filters as it reads).
-#}
{% macro rudderstack_stage(ctes, name, stage=true) -%}
    {%- set query = caller() -%}
    {%- if ctes.stage and stage -%}
        {%- set table = rudderstack_sessions.rudderstack_stage_name(name) -%}
        {%- set earlier = 'with ' ~ ctes.definitions | join(',\n') ~ '\n' if ctes.definitions else '' -%}
        {%- do run_query("drop table if exists " ~ table) -%}
        {%- do run_query("create table " ~ table ~ " using parquet as " ~ earlier ~ query) -%}
        {%- set query = 'select * from ' ~ table -%}
    {%- endif -%}
    {%- do ctes.definitions.append(name ~ ' as (' ~ query ~ ')') -%}
    {{ query }}
{%- endmacro %}


{#- The table of a model's stage: <model>__stage_<name>, in the model's schema. -#}
{% macro rudderstack_stage_name(name) -%}
    {{ return(this.incorporate(path={'identifier': this.identifier ~ '__stage_' ~ name})) }}
{%- endmacro %}


{#-
    Post-hook of a model that declares stages with rudderstack_stage: on Spark, drop the
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
