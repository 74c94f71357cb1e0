{{ config(materialized='view') }}  {#- a filter, read once by int_events_sessionized -#}

{#-
    The events a run sessionizes, with their deduplication keys: all events on a full
    build. On an incremental run, the sessions in int_sessionization_scope, each with
    all its events: the ones received again as int_events_deduplicated now has them,
    the others as fct_events stored them ('stored').
-#}
-- depends_on: {{ ref('int_sessionization_scope') }}
{%- set columns = [
    'event_id', 'actor_id', 'event_at', 'sdk_session_id', 'cohort', 'delivery_source', 'received_at',
    'loaded_at', 'tie_key', 'identical_row_count', 'duplicate_row_count', 'last_arrival_at',
] %}

{%- if rudderstack_incremental_cutoff() is none %}

select {{ columns | join(', ') }}
from {{ ref('int_events_deduplicated') }}

{%- else %}

with received as (

    {#- Always in scope: their new positions are what put sessions in it. #}
    select {{ columns | join(', ') }}
    from {{ ref('int_events_deduplicated') }}

),

stored_in_scope as (

    {{ rudderstack_events_in_scope(rudderstack_model_relation('fct_events')) }}

),

current_events as (

    select * from received
    union all
    select
        {%- for column in columns %}
        {%- if column == 'delivery_source' %}
        'stored' as delivery_source{{ ',' if not loop.last }}
        {%- elif column == 'tie_key' %}
        cast(null as {{ dbt.type_string() }}) as tie_key{{ ',' if not loop.last }}
        {%- elif column == 'identical_row_count' %}
        cast(null as {{ dbt.type_bigint() }}) as identical_row_count{{ ',' if not loop.last }}
        {%- else %}
        stored_in_scope.{{ column }}{{ ',' if not loop.last }}
        {%- endif %}
        {%- endfor %}
    from stored_in_scope
    where not exists (
        select 1 from received
        where received.event_id = stored_in_scope.event_id
    )

)

select * from current_events

{%- endif %}
