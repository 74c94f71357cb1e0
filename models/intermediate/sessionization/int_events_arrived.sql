{{ config(materialized=rudderstack_chain_materialization()) }}  {#- a filter: its readers scan only the window -#}

{#-
    The raw activity rows of the run's window (int_run_window: arrived after the cutoff,
    at most at the run's start), each with its rejection reason: every row on a full
    build. The filters are on the raw load columns as stored, so the scan of each raw
    table is pruned to the window (rudderstack_arrival_filters).
-#}
{%- set window = rudderstack_run_window() %}
{%- set columns = rudderstack_event_columns() %}

with tracks as (

    {{ rudderstack_rows_arrived('stg_rudderstack__tracks', columns, window.cutoff_at, window.upper_at) }}

),

pages as (

    {{ rudderstack_rows_arrived('stg_rudderstack__pages', columns, window.cutoff_at, window.upper_at) }}

),

screens as (

    {{ rudderstack_rows_arrived('stg_rudderstack__screens', columns, window.cutoff_at, window.upper_at) }}

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
        {{ rudderstack_rejection_reason() }} as rejection_reason,
        *
    from unioned

)

select * from final
