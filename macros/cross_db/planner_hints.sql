{#-
    Pre-hook of every model (dbt_project.yml). PostgreSQL estimates the rows left after
    a window filter (`delivery_rank = 1`) as a handful, and then joins them to millions
    of raw rows with a nested loop: quadratic. Hash joins are what these models need;
    `set local` keeps the setting to the model's own transaction.
-#}
{% macro planner_hints() -%}
    {{ return(adapter.dispatch('planner_hints', 'rudderstack_sessions')()) }}
{%- endmacro %}

{% macro default__planner_hints() -%}
{%- endmacro %}

{% macro postgres__planner_hints() -%}
    set local enable_nestloop = off
{%- endmacro %}
