{{ config(materialized=rudderstack_chain_materialization()) }}  {#- read once by each of its readers -#}

{#-
    Every valid raw delivery (one row per raw row) of the events the run received: on
    a full build every valid row; on an incremental run the valid rows of its window,
    and, for the ids among them, every earlier delivery the raw tables still hold,
    however old. Deduplicating an event over all of them gives what a full build gives,
    even when the loader replaced a row in place.
-#}
{%- set window = rudderstack_run_window() %}
{%- set columns = rudderstack_event_columns() %}

with arrived as {{ rudderstack_cte_hint(window.is_incremental) }} (

    select {{ columns | join(', ') }}
    from {{ ref('int_events_arrived') }}
    where rejection_reason is null

),

received_ids as (

    select distinct event_id from arrived

),

{#- The deliveries of those ids that arrived at or before the cutoff (none on a full build). #}
{%- set earlier_condition = '1 = 0' if window.cutoff_at is none
    else 'arrival_at <= ' ~ rudderstack_timestamp_literal(window.cutoff_at) %}
{%- for staging in ['stg_rudderstack__tracks', 'stg_rudderstack__pages', 'stg_rudderstack__screens'] %}

earlier_{{ loop.index }} as (

    select {{ columns | join(', ') }}
    from {{ ref(staging) }}
    where {{ earlier_condition }} and event_id in (select received_ids.event_id from received_ids)

),
{%- endfor %}

earlier as (

    select * from earlier_1
    union all
    select * from earlier_2
    union all
    select * from earlier_3

),

final as (

    select * from arrived
    union all
    select * from earlier
    where {{ rudderstack_rejection_reason() }} is null

)

select * from final
