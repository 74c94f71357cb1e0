{{ config(materialized='view') }}  {#- a filter, read once by int_events_sessionized -#}

{#-
    The deduplicated events a run sessionizes: all of them on a full build; on an
    incremental run, those of the sessions in int_sessionization_scope, each session
    with all its events.
-#}
-- depends_on: {{ ref('int_sessionization_scope') }}

{%- if rudderstack_incremental_cutoff() is none %}

select * from {{ ref('int_events_deduplicated') }}

{%- else %}

{{ rudderstack_events_in_scope(ref('int_events_deduplicated')) }}

{%- endif %}
