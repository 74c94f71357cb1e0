{{ config(materialized='view') }}  {#- a filter, read once by int_events_sessionized -#}

{#-
    The deduplicated events a run sessionizes: all of them on a full build. On an
    incremental run, the sessions in int_sessionization_scope, each with all its events:
    the ones received again as int_events_deduplicated now has them, the others as
    fct_events stored them.
-#}
-- depends_on: {{ ref('int_sessionization_scope') }}
{%- set columns = rudderstack_deduplicated_event_columns() %}

{%- if rudderstack_incremental_cutoff() is none %}

select
    {%- for column in columns %}
    {{ column }}{{ ',' if not loop.last }}
    {%- endfor %}
from {{ ref('int_events_deduplicated') }}

{%- else %}

with received as (

    select
        {%- for column in columns %}
        {{ column }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ ref('int_events_deduplicated') }}

),

current_events as (

    select * from received
    union all
    select
        {%- for column in columns %}
        stored.{{ column }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ rudderstack_model_relation('fct_events') }} as stored
    where not exists (
        select 1 from received
        where received.event_id = stored.event_id
    )

)

{{ rudderstack_events_in_scope('current_events') }}

{%- endif %}
