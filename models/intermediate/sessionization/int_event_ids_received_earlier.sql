{#-
    On an incremental run: the raw ids (as stored, raw_id) of the rows behind the cutoff
    that may be earlier deliveries of the events the run received: those whose id is one
    of the window's, and any whose stored id carries spaces around it (the event id is
    trimmed, so such a row can match an id of the window). One narrow column, read on its
    own, so each raw scan reads nothing else of the rows that do not match; a table, so
    int_events_received_earlier's planner knows how few they are and filters the raw
    scans by them before reading their other columns. Empty on a full build, which
    receives every delivery in its window.
-#}
{%- set window = rudderstack_run_window() %}
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

history as (

    {#- The ids behind the cutoff as stored, each raw table read once per arrival condition. #}
    {%- if window.cutoff_at is none %}
    select raw_id from window_ids
    where 1 = 0
    {%- else %}
    {%- for staging in stagings %}
    {{ rudderstack_rows_arrived(staging, ['raw_id'], none, window.cutoff_at, prune=true) }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
    {%- endif %}

),

final as (

    {{ rudderstack_earlier_delivery_ids('history', 'window_ids') }}

)

select * from final
