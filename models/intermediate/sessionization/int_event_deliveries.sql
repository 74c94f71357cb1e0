{{ config(materialized=rudderstack_chain_materialization()) }}  {#- read once by each of its readers -#}

{#-
    Every valid raw delivery (one row per raw row) of the events the run received: on
    a full build every valid row; on an incremental run the valid rows of its window,
    and, for the ids among them, every earlier delivery the raw tables still hold
    (int_events_received_earlier), however old. Deduplicating an event over all of them
    gives what a full build gives, even when the loader replaced a row in place.
-#}
{%- set columns = rudderstack_event_columns() %}

with arrived as (

    select {{ columns | join(', ') }}
    from {{ ref('int_events_arrived') }}
    where rejection_reason is null

),

earlier as (

    select {{ columns | join(', ') }}
    from {{ ref('int_events_received_earlier') }}

),

final as (

    select * from arrived
    union all
    select * from earlier

)

select * from final
