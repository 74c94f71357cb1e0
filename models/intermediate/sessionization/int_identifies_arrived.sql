{{ config(materialized='view') }}  {#- a filter: its readers scan only the window -#}

{#- The raw identify calls of the run's window (every one on a full build), pruned as int_events_arrived is. -#}
{%- set window = rudderstack_run_window() %}
{%- set columns = [] %}
{%- for column in rudderstack_identify_columns() if column[2] != 'raw' %}
    {%- do columns.append(column[1]) %}
{%- endfor %}
{%- do columns.extend(['actor_id', 'arrival_at']) %}

with final as (

    {{ rudderstack_rows_arrived(
        'stg_rudderstack__identifies', columns, window.cutoff_at, window.upper_at
    ) }}

)

select * from final
