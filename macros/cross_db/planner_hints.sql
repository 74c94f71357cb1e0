{#-
    Pre-hook of every model (dbt_project.yml).
    PostgreSQL estimates the rows left after a window filter (`delivery_rank = 1`) as a
    handful, and then joins them to millions of raw rows with a nested loop: quadratic.
    Hash joins are what these models need; `set local` keeps the setting to the model's
    own transaction.
    DuckDB materializes a subplan that two branches share (the raw rows, read narrow by
    deduplication and wide by the join-back) as a wide temporary result: on 10M events
    that costs a third of the fct_events build. Reading it twice is cheaper. (DuckDB's
    SET lasts for the connection, so for the models after it too, in this project's
    runs only.)
    Spark: the session time zone, see spark__planner_hints.
-#}
{% macro planner_hints() -%}
    {{ return(adapter.dispatch('planner_hints', 'rudderstack_sessions')()) }}
{%- endmacro %}

{% macro default__planner_hints() -%}
{%- endmacro %}

{% macro duckdb__planner_hints() -%}
    set disabled_optimizers = 'common_subplan'
{%- endmacro %}

{% macro postgres__planner_hints() -%}
    set local enable_nestloop = off
{%- endmacro %}

{#- Spark shows and parses timestamps in the session time zone: UTC, whatever the cluster's default. -#}
{% macro spark__planner_hints() -%}
    set spark.sql.session.timeZone = UTC
{%- endmacro %}


{#-
    The keyword that makes a CTE an optimisation fence, computed once: used where a
    cheap, selective filter must run before expensive expressions (DuckDB otherwise
    evaluates both in one filter over every row). Engines without it get nothing.
-#}
{% macro materialized_cte() -%}
    {{ return(adapter.dispatch('materialized_cte', 'rudderstack_sessions')()) }}
{%- endmacro %}

{% macro default__materialized_cte() -%}
{%- endmacro %}

{% macro duckdb__materialized_cte() -%}
    materialized
{%- endmacro %}

{% macro postgres__materialized_cte() -%}
    materialized
{%- endmacro %}


{#-
    The keyword that tells DuckDB and PostgreSQL whether to compute a CTE read several
    times once (materialized) or where it is read (not materialized). `small` is what the
    caller knows of its size: a run's window on an incremental run is small and worth
    keeping; a full build's rows are the whole history, which must stream, never be held.
    Spark decides for itself.
-#}
{% macro rudderstack_cte_hint(small) -%}
    {{ return(adapter.dispatch('rudderstack_cte_hint', 'rudderstack_sessions')(small)) }}
{%- endmacro %}

{% macro default__rudderstack_cte_hint(small) -%}
{%- endmacro %}

{% macro duckdb__rudderstack_cte_hint(small) -%}
    {{ 'materialized' if small else 'not materialized' }}
{%- endmacro %}

{% macro postgres__rudderstack_cte_hint(small) -%}
    {{ 'materialized' if small else 'not materialized' }}
{%- endmacro %}
