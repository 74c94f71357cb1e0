{#-
    Nothing is silently lost (docs/sessionization.md, "Rejection"): every raw activity row is an event in
    fct_events, a discarded duplicate of one (counted in duplicate_row_count), or a
    rejected row. Checked per event id, so a row lost under one id cannot hide behind a
    row duplicated under another. Returns the ids whose rows do not add up.
-#}
{%- set no_id = "'(no id)'" -%}
-- depends_on: {{ ref('int_run_window') }}
{%- set window = rudderstack_run_window() %}

with raw_ids as (

    {#-
        Every raw activity row but those that arrived while the run ran (after its start,
        within a day of it: the next run's), which no output holds yet.
    #}
    {%- for staging in ['stg_rudderstack__tracks', 'stg_rudderstack__pages', 'stg_rudderstack__screens'] %}
    select event_id from {{ ref(staging) }}
    where
        not (
            arrival_at > {{ rudderstack_timestamp_literal(window.upper_at) }}
            and arrival_at <= {{ rudderstack_timestamp_literal(window.future_at) }}
        )
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}

),

raw_rows as (

    select
        coalesce(event_id, {{ no_id }}) as event_key,
        count(*) as raw_row_count
    from raw_ids
    group by coalesce(event_id, {{ no_id }})

),

kept_rows as (

    select
        event_id as event_key,
        1 + duplicate_row_count as kept_row_count
    from {{ ref('fct_events') }}

),

rejected_rows as (

    select
        coalesce(event_id, {{ no_id }}) as event_key,
        count(*) as rejected_row_count
    from {{ ref('state_rejected_rows') }}
    group by coalesce(event_id, {{ no_id }})

),

accounted as (

    select
        coalesce(raw_rows.event_key, kept_rows.event_key, rejected_rows.event_key) as event_key,
        coalesce(raw_rows.raw_row_count, 0) as raw_row_count,
        coalesce(kept_rows.kept_row_count, 0) as kept_row_count,
        coalesce(rejected_rows.rejected_row_count, 0) as rejected_row_count
    from raw_rows
    full outer join kept_rows
        on raw_rows.event_key = kept_rows.event_key
    full outer join rejected_rows
        on coalesce(raw_rows.event_key, kept_rows.event_key) = rejected_rows.event_key

)

select * from accounted
where raw_row_count != kept_row_count + rejected_row_count
