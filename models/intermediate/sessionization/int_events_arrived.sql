{{ config(materialized=rudderstack_chain_materialization()) }}  {#- a filter: its readers scan only the window -#}

{#-
    The raw activity rows of the run's window (int_run_window: arrived after the cutoff,
    at most at the run's start), each with its rejection reason: every row on a full
    build. With them, the rows that arrived more than a day after the run's start
    (window.future_at), each rejected as 'arrival_in_future'. The filters are on the raw
    load columns as stored, so the scan of each raw table is pruned to the window
    (rudderstack_arrival_filters).
-#}
{%- set window = rudderstack_run_window() %}
{%- set columns = rudderstack_event_columns() %}
{#- The rejection rule also reads whether a time that is not a time made event_at NULL. #}
{%- set read = columns + ['event_at_is_invalid'] %}

with tracks as (

    {{ rudderstack_rows_arrived('stg_rudderstack__tracks', read, window.cutoff_at, window.upper_at) }}
    union all
    {{ rudderstack_rows_arrived('stg_rudderstack__tracks', read, window.future_at, none, prune=true) }}

),

pages as (

    {{ rudderstack_rows_arrived('stg_rudderstack__pages', read, window.cutoff_at, window.upper_at) }}
    union all
    {{ rudderstack_rows_arrived('stg_rudderstack__pages', read, window.future_at, none, prune=true) }}

),

screens as (

    {{ rudderstack_rows_arrived('stg_rudderstack__screens', read, window.cutoff_at, window.upper_at) }}
    union all
    {{ rudderstack_rows_arrived('stg_rudderstack__screens', read, window.future_at, none, prune=true) }}

),

unioned as (

    select * from tracks
    union all
    select * from pages
    union all
    select * from screens

),

final as (

    select
        {{ rudderstack_rejection_reason(future_at=window.future_at) }} as rejection_reason,
        {{ columns | join(', ') }}
    from unioned

)

select * from final
