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

counts as (

    select
        (select count(*) from {{ ref('state_events') }} where written_in_run = {{ window.run_number }})
            as events_written,
        (select count(*) from {{ ref('state_sessions') }} where written_in_run = {{ window.run_number }})
            as sessions_written,
        (select count(*) from {{ ref('state_rejected_rows') }} as stored
         where {{ rudderstack_arrival_window_replaced() or '1 = 1' }}) as rows_rejected,
        (select count(*) from {{ ref('state_identifies') }} where written_in_run = {{ window.run_number }})
            as identifies_read

),

final as (

    select
        run.run_number,
        run.is_incremental,
        run.cutoff,
        run.upper_bound,
        (select max(latest_arrival_at) from arrivals) as watermark_at,
        run.run_reason,
        run.settings_json,
        cast(counts.events_written as {{ dbt.type_bigint() }}) as events_written,
        cast(counts.sessions_written as {{ dbt.type_bigint() }}) as sessions_written,
        cast(counts.rows_rejected as {{ dbt.type_bigint() }}) as rows_rejected,
        cast(counts.identifies_read as {{ dbt.type_bigint() }}) as identifies_read
    from run
    cross join counts

)

{{ rudderstack_select_with_unreplaced_rows('final', 'stored.run_number = ' ~ window.run_number, 'run_number', window) }}
