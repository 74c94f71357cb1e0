{#-
    int_event_ids_received_earlier's test, over the history's raw ids (`history`, one
    column raw_id): the ids that are one of the window's (`window_ids`), or that carry
    spaces around them (the event id is trimmed, so such a row can match a window id).
    One hash table of the window's ids for the whole history, built once:
    - DuckDB: `in (...) or ...` is one mark join (6.7 s at 100M events, 235 MB); a
      condition per raw scan built one table per scan (2.2 GB, out of memory beside the
      models dbt runs with it), and the left join below took 18.5 s.
    - Elsewhere: a left join. PostgreSQL runs an IN inside an OR as a subplan, hashed only
      while the window's ids fit work_mem and rescanned for every history row beyond it;
      a hash join splits into batches instead.
-#}
{% macro rudderstack_earlier_delivery_ids(history, window_ids) -%}
    {{ return(adapter.dispatch('rudderstack_earlier_delivery_ids', 'rudderstack_sessions')(history, window_ids)) }}
{%- endmacro %}

{% macro default__rudderstack_earlier_delivery_ids(history, window_ids) -%}
    select {{ history }}.raw_id
    from {{ history }}
    left join (select distinct {{ window_ids }}.raw_id from {{ window_ids }}) as window_id
        on {{ history }}.raw_id = window_id.raw_id
    where
        window_id.raw_id is not null
        or {{ history }}.raw_id like ' %'
        or {{ history }}.raw_id like '% '
{%- endmacro %}

{% macro duckdb__rudderstack_earlier_delivery_ids(history, window_ids) -%}
    select raw_id
    from {{ history }}
    where
        raw_id in (select {{ window_ids }}.raw_id from {{ window_ids }})
        or raw_id like ' %'
        or raw_id like '% '
{%- endmacro %}
