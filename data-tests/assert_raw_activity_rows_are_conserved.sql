{#-
    Nothing is silently lost (SPEC 2.5): every raw activity row is an event in
    fct_events, a discarded duplicate of one, or a rejected row. Returns a row when
    the three do not add up to the raw tables.
-#}
with raw_rows as (

    select count(*) as row_count from {{ ref('stg_rudderstack__tracks') }}
    union all
    select count(*) as row_count from {{ ref('stg_rudderstack__pages') }}
    union all
    select count(*) as row_count from {{ ref('stg_rudderstack__screens') }}

),

accounted as (

    select
        (select sum(row_count) from raw_rows) as raw_row_count,
        (select count(*) from {{ ref('fct_events') }}) as event_count,
        (select coalesce(sum(duplicate_row_count), 0) from {{ ref('fct_events') }}) as duplicate_row_count,
        (select count(*) from {{ ref('int_events_rejected') }}) as rejected_row_count

)

select * from accounted
where raw_row_count != event_count + duplicate_row_count + rejected_row_count
