{{ config(materialized='view') }}  {#- a filter over the raw tables: read by each state model -#}

{#-
    The raw activity rows this run reads, with their rejection reason: every row on a
    full build; on an incremental run, those that arrived after the cutoff (see
    rudderstack_incremental_cutoff). Creating this view first checks that no raw row
    fell behind the cutoff unread (rudderstack_assert_no_missed_rows).
-#}
{%- set cutoff = rudderstack_incremental_cutoff() -%}
{{- rudderstack_assert_no_missed_rows(cutoff) -}}

{#- On an incremental run, select the (few) rows after the cutoff before anything else. -#}
with events as {{ materialized_cte() if cutoff is not none }} (

    -- depends_on: {{ ref('stg_rudderstack__identifies') }} (counted by the missed-rows check)
    select * from {{ ref('int_events_unioned') }}
    {%- if cutoff is not none %}
    where arrival_at > {{ cutoff }}
    {%- endif %}

),

arrived as (

    select
        {{ rudderstack_rejection_reason() }} as rejection_reason,
        *
    from events

)

select * from arrived
