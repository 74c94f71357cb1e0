{#-
    On an incremental run: the raw ids (as stored, raw_id) of the rows behind the cutoff
    that may be earlier deliveries of the events the run received: those whose id is one
    of the window's (an event id is its raw id byte for byte). One narrow column, read on its
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

    {#-
        A semi join on every engine. Before ids were kept byte for byte, this test also
        had to take any id with spaces around it (`or raw_id like ' %'`), and an IN inside
        an OR made PostgreSQL rescan the window's ids for every history row, so engines
        needed different SQL; without the OR they need none.
    #}
    select raw_id from history
    where raw_id in (select window_ids.raw_id from window_ids)

)

select * from final
