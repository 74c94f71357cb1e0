{{ config(**rudderstack_state_config('delete+insert', partition_column='run_number', unique_key='run_number')) }}
{#- one row per finished run (a run that repeats an unfinished one's number replaces its row) -#}

{#-
    The log of finished runs, and the commit point of a run: written last, once every
    other state model is, and only after the missed-rows check passed
    (rudderstack_assert_no_missed_rows). Its last row is what the next run starts from
    (int_run_window): the watermark (the latest arrival the run read, so the next cutoff
    is that minus var incremental_lookback_minutes) and the settings that shaped the
    stored rows. A run that stops before this row is written leaves the previous one in
    place, and the next run reads the same window again.
-#}
{%- set window = rudderstack_run_window() %}
{{- rudderstack_assert_no_missed_rows(window) -}}

with run as (

    select * from {{ ref('int_run_window') }}

),

arrivals as (

    {#- The latest arrival read so far: it never moves back, and a run that read nothing keeps it. #}
    select max(arrival_at) as latest_arrival_at from {{ ref('int_events_arrived') }}
    union all
    select max(arrival_at) from {{ ref('int_identifies_arrived') }}
    union all
    select previous_watermark_at from run

),

watermark as (

    select max(latest_arrival_at) as watermark_at from arrivals

),

events_written as (

    select count(*) as row_count from {{ ref('state_events') }}
    where written_in_run = {{ window.run_number }}

),

sessions_written as (

    select count(*) as row_count from {{ ref('state_sessions') }}
    where written_in_run = {{ window.run_number }}

),

rows_rejected as (

    {#- The rows of this run's window (all of them on a full build), as the table replaced them. #}
    select count(*) as row_count from {{ ref('state_rejected_rows') }} as stored  -- noqa: AL05, RF04
    where {{ rudderstack_arrival_window_replaced() or '1 = 1' }}

),

identifies_read as (

    select count(*) as row_count from {{ ref('state_identifies') }}
    where written_in_run = {{ window.run_number }}

),

final as (

    select
        run.is_incremental,
        run.cutoff,
        run.upper_bound,
        watermark.watermark_at,
        run.run_reason,
        run.settings_json,
        cast(events_written.row_count as {{ dbt.type_bigint() }}) as events_written,
        cast(sessions_written.row_count as {{ dbt.type_bigint() }}) as sessions_written,
        cast(rows_rejected.row_count as {{ dbt.type_bigint() }}) as rows_rejected,
        cast(identifies_read.row_count as {{ dbt.type_bigint() }}) as identifies_read,
        {#- Last: the partition column, where Spark keeps it. #}
        run.run_number
    from run
    cross join watermark
    cross join events_written
    cross join sessions_written
    cross join rows_rejected
    cross join identifies_read

)

{{ rudderstack_select_with_unreplaced_rows('final', 'stored.run_number = ' ~ window.run_number, 'run_number', window) }}
