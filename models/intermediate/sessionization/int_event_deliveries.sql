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

with arrived as (

    select {{ columns | join(', ') }}
    from {{ ref('int_events_arrived') }}
    where rejection_reason is null

),

received_ids as (

    select distinct event_id from arrived

),

{#- The deliveries of those ids that arrived at or before the cutoff (none on a full build). #}
{%- for table_key, staging in [
    ['tracks', 'stg_rudderstack__tracks'], ['pages', 'stg_rudderstack__pages'], ['screens', 'stg_rudderstack__screens'],
] %}

earlier_{{ table_key }} as (

    select {{ columns | join(', ') }}
    from {{ ref(staging) }}
    where
        {% if window.cutoff_at is none -%}
        1 = 0
        {%- else -%}
        arrival_at <= {{ rudderstack_timestamp_literal(window.cutoff_at) }}
        and event_id in (select event_id from received_ids)
        {%- endif %}

),
{%- endfor %}

earlier as (

    select * from earlier_tracks
    union all
    select * from earlier_pages
    union all
    select * from earlier_screens

),

final as (

    select * from arrived
    union all
    select * from earlier
    where {{ rudderstack_rejection_reason() }} is null

)

select * from final
