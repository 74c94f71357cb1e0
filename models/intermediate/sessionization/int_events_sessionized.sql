{{ config(materialized='view') }}  {#- computed once, by fct_events, which stores it -#}

{#-
    Every deduplicated event with its session:
    - SDK sessions (SPEC 2.2): events with an SDK session id belong to the session
      (actor, session id), never split: mobile SDKs only check expiry on foreground.
    - Derived sessions (SPEC 2.3): the other events of each actor go through the gap
      rule, sessionize_by_gap, over those events only.
    On an incremental run, int_events_to_sessionize holds only the sessions in scope.
-#}
{%- set event_columns = rudderstack_deduplicated_event_columns() -%}

with events as (

    select * from {{ ref('int_events_to_sessionize') }}

),

sdk_session_events as (

    select
        {%- for column in event_columns %}
        {{ column }},
        {%- endfor %}
        'sdk' as session_source,
        {{ session_id_hash(["'sdk'", 'actor_id', 'sdk_session_id']) }} as session_id,
        row_number() over (
            partition by actor_id, sdk_session_id
            order by {{ event_order() }}
        ) as event_number_in_session
    from events
    where sdk_session_id is not null

),

sessionless_events as (

    select * from events
    where sdk_session_id is null

),

derived_session_events as (

    select
        {%- for column in event_columns %}
        {{ column }},
        {%- endfor %}
        'derived' as session_source,
        session_id,
        event_number_in_session
    from ({{ sessionize_by_gap('sessionless_events', partition_by='actor_id', cohort='cohort') }}) as gap_sessions

),

unioned as (

    select * from sdk_session_events
    union all
    select * from derived_session_events

)

select * from unioned
