{#-
    On an incremental run: the raw activity rows that arrived after the cutoff (see
    rudderstack_incremental_cutoff), with their rejection reason, stored once so every
    model of the run reads them from here (macro rudderstack_arrived_rows). Building it
    first checks that no raw row fell behind the cutoff unread
    (rudderstack_assert_no_missed_rows). Empty on a full build, whose models read the
    raw rows directly.
-#}
{%- set cutoff = rudderstack_incremental_cutoff() -%}
{{- rudderstack_assert_no_missed_rows(cutoff) -}}

{#- On an incremental run, select the (few) rows after the cutoff before anything else. -#}
with events as {{ materialized_cte() if cutoff is not none }} (

    -- depends_on: {{ ref('stg_rudderstack__identifies') }} (counted by the missed-rows check)
    select * from {{ ref('int_events_unioned') }}
    where {% if cutoff is not none %}{{ rudderstack_in_arrival_window('arrival_at', cutoff) }}{% else %}1 = 0{% endif %}

),

arrived as (

    select
        {{ rudderstack_rejection_reason() }} as rejection_reason,
        *
    from events

)

select * from arrived
