{#-
    On an incremental run: every earlier valid delivery (arrived at or before the cutoff)
    the raw tables still hold of the events the run received, however old. Few rows: most
    events are delivered once. Found by the raw id as stored (raw_id), which prunes the
    scan of each raw table to the matching rows, plus the rows whose stored id carries
    spaces around it (the event id is trimmed), so no delivery is missed. Empty on a full
    build, which receives every delivery in its window. A table, so the scan happens once.
-#}
{%- set window = rudderstack_run_window() %}
{%- set columns = rudderstack_event_columns() %}
{%- set stagings = ['stg_rudderstack__tracks', 'stg_rudderstack__pages', 'stg_rudderstack__screens'] %}

with window_ids as {{ rudderstack_cte_hint(window.is_incremental) }} (

    {#- The ids of the window as stored, valid or not (a superset of the received ones). #}
    {%- for staging in stagings %}
    {{ rudderstack_rows_arrived(staging, ['raw_id'], window.cutoff_at, window.upper_at) }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}

),

received_ids as (

    select event_id from {{ ref('int_events_arrived') }}
    where rejection_reason is null

),

{%- for staging in stagings %}

earlier_{{ loop.index }} as (

    {%- if window.cutoff_at is none %}
    select {{ columns | join(', ') }}
    from {{ ref(staging) }}
    where 1 = 0
    {%- else %}
    {{ rudderstack_rows_arrived(
        staging, columns, none, window.cutoff_at, prune=true,
        extra_condition='raw_id in (select window_ids.raw_id from window_ids)',
    ) }}
    union all
    {{ rudderstack_rows_arrived(
        staging, columns, none, window.cutoff_at, prune=true,
        extra_condition="(raw_id like ' %' or raw_id like '% ')"
            ~ " and not exists (select 1 from window_ids where window_ids.raw_id = arrived_rows.raw_id)",
    ) }}
    {%- endif %}

),
{%- endfor %}

unioned as (

    select * from earlier_1
    union all
    select * from earlier_2
    union all
    select * from earlier_3

),

final as (

    select * from unioned
    where
        {{ rudderstack_rejection_reason() }} is null
        and event_id in (select received_ids.event_id from received_ids)

)

select * from final
