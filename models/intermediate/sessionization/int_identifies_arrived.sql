{{ config(materialized='view') }}  {#- a filter: its readers scan only the window -#}

{#- The raw identify calls of the run's window (every one on a full build), pruned as int_events_arrived is. -#}
{%- set window = rudderstack_run_window() %}
{%- set columns = rudderstack_identify_columns() | rejectattr(2, 'equalto', 'raw') | map(attribute=1) | list
    + ['actor_id', 'arrival_at'] %}

with final as (

    {{ rudderstack_rows_arrived(
        'stg_rudderstack__identifies', columns, window.cutoff_at, window.upper_at
    ) }}

)

select * from final
