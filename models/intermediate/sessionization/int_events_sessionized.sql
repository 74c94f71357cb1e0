{{ config(materialized=rudderstack_chain_materialization()) }}  {#- computed once, by fct_events, which stores it -#}

{#-
    The session of every event a run sessionizes, in one pass of sessionize_by_gap over
    (actor, SDK session id):
    - SDK sessions (SPEC 2.2): events with an SDK session id belong to the session
      (actor, session id), never split (keep_together): mobile SDKs only check expiry
      on foreground, so an SDK session can hold long idle gaps;
    - derived sessions (SPEC 2.3): an actor's events without one share the partition
      (actor, NULL), so the gap rule runs over those events only.
    Narrow on purpose: fct_events joins the events' other columns back
    (rudderstack_kept_rows), using the deduplication keys carried here.
-#}
{%- set carried = [
    'event_id', 'actor_id', 'sdk_session_id', 'event_at', 'cohort', 'delivery_source', 'received_at', 'loaded_at', 'tie_key', 'identical_row_count',
    'duplicate_row_count', 'last_arrival_at',
] -%}

with events as (

    select * from {{ ref('int_events_to_sessionize') }}

),

gap_sessions as (

    {{ sessionize_by_gap(
        'events',
        partition_by=['actor_id', 'sdk_session_id'],
        cohort='cohort',
        keep_together='sdk_session_id is not null',
        with_session_id=false,
    ) }}

),

final as (

    select
        {%- for column in carried %}
        {{ column }},
        {%- endfor %}
        case when sdk_session_id is null then 'derived' else 'sdk' end as session_source,
        case
            when sdk_session_id is null
                then {{ session_id_hash(["'derived'", 'actor_id', epoch_microseconds('session_started_at')]) }}
            else {{ session_id_hash(["'sdk'", 'actor_id', 'sdk_session_id']) }}
        end as session_id,
        event_number_in_session
    from gap_sessions

)

select * from final
