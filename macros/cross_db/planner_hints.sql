{#-
    Pre-hook of every model (dbt_project.yml).
    PostgreSQL estimates the rows left after a window filter (`delivery_rank = 1`) as a
    handful, and then joins them to millions of raw rows with a nested loop: quadratic.
    Hash joins are what a full build needs; `set local` keeps the setting to the model's
    own transaction. Its JIT compiler is off (see postgres__planner_hints).
    DuckDB materializes a subplan that two branches share (the raw rows, read narrow by
    deduplication and wide by the join-back) as a wide temporary result: on 10M events
    that costs a third of the fct_events build. Reading it twice is cheaper. (DuckDB's
    SET lasts for the connection, so for the models after it too, in this project's
    runs only.)
    Spark: the session time zone, see spark__planner_hints.
-#}
{% macro planner_hints(keep_join_sides=false, hash_joins=false) -%}
    {{ return(adapter.dispatch('planner_hints', 'rudderstack_sessions')(keep_join_sides, hash_joins)) }}
{%- endmacro %}

{% macro default__planner_hints(keep_join_sides, hash_joins) -%}
{%- endmacro %}

{#-
    keep_join_sides (a model's own pre-hook, after the project's): DuckDB builds the hash
    table of a semi-join on the side its estimates call smaller, and a window's filter on
    a load column is estimated like any filter, so it can hash the many rows and probe
    with the few (state_sessions: the stored sessions, not the run's keys). Off, the IN
    list is the hash table, as written.
-#}
{% macro duckdb__planner_hints(keep_join_sides, hash_joins) -%}
    set disabled_optimizers = '{{ "common_subplan, build_side_probe_side" if keep_join_sides else "common_subplan" }}'
{%- endmacro %}

{#-
    JIT off: PostgreSQL compiles a query's expressions with LLVM once its estimated cost
    passes jit_above_cost, which these models' estimates always do (a CTE's row count is
    guessed, and one guess multiplied through a few joins reaches 1e13): compiling the
    300 expressions of state_sessions took 7.6 s of an 8.4 s incremental step at 1M
    events, and state_events 7 s of a 19 s full build; interpreted, they take 0.9 s and 12.6 s.
    Nested loops off on full builds only: an incremental run joins a few new rows to the
    stored tables, where a nested loop over their indexes (rudderstack_state_config's
    lookups) is what reads the least. Asked of the tables built after int_run_window
    (views run no query, and int_run_window and the staging views may run while it is
    being replaced; int_events_deduplicated's rudderstack_received is a view here).
    hash_joins (a model's own pre-hook): nested loops off on incremental runs too, for a
    model that selects the rows this run wrote (`written_in_run = <this run>`): the
    statistics, taken after the runs before, hold no such row, so PostgreSQL estimates 1
    and loops over what are tens of thousands (state_sessions at 1M events, after
    ANALYZE: 19.9 s with nested loops, 0.76 s without).
-#}
{% macro postgres__planner_hints(keep_join_sides, hash_joins) -%}
    set local jit = off
    {%- if execute and model.resource_type == 'model' and model.name != 'int_run_window'
        and model.config.materialized not in ('view', 'rudderstack_received') and (hash_joins or not rudderstack_sessions.rudderstack_run_is_incremental()) -%}
        ; set local enable_nestloop = off
    {%- endif -%}
{%- endmacro %}

{#- Spark shows and parses timestamps in the session time zone: UTC, whatever the cluster's default. -#}
{% macro spark__planner_hints(keep_join_sides, hash_joins) -%}
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


{#-
    What finds a stored row again in the same statement, given its key column `key`:
    DuckDB's rowid, which it fetches directly (`rowid in (...)` reads only the rows it
    names, where a semi-join on the key reads every row of every column it returns: a
    wide table's whole history); elsewhere the key itself. Used to read narrow columns
    first, then the wide rows of the few keys found.
-#}
{% macro rudderstack_row_locator(key) -%}
    {{ return(adapter.dispatch('rudderstack_row_locator', 'rudderstack_sessions')(key)) }}
{%- endmacro %}

{% macro default__rudderstack_row_locator(key) -%}
    {{ key }}
{%- endmacro %}

{% macro duckdb__rudderstack_row_locator(key) -%}
    rowid
{%- endmacro %}
