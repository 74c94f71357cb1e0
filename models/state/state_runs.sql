{{ config(**rudderstack_state_config('delete+insert', partition_column='run_number', unique_key='run_number')) }}
{#- one row per finished run (a run that repeats an unfinished one's number replaces its row) -#}

{#-
    The log of finished runs, and the commit point of a run: written last, once every
    other state model is, and only after the missed-rows check passed
    (rudderstack_checked_row_counts). Its last row is what the next run starts from
    (int_run_window): the watermark (the latest arrival the run read, so the next cutoff
    is that minus var rudderstack_lookback_minutes), the settings that shaped the
    stored rows, and the counts the next run's missed-rows check starts from. A run that stops before this row is written leaves the previous one in
    place, and the next run reads the same window again.
-#}
{%- set window = rudderstack_run_window() %}
{%- set checked = rudderstack_checked_row_counts(window) %}
{%- set values = {} %}
{%- for key, value in checked.items() %}
{%- if value is none %}{% do values.update({key: 'null'}) %}
{%- elif key in ['watermark', 'checked_through'] %}{% do values.update({key: rudderstack_timestamp_literal(value)}) %}
{%- else %}{% do values.update({key: value}) %}{% endif %}
{%- endfor %}

with run as (

    select * from {{ ref('int_run_window') }}

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
        cast({{ values.watermark }} as {{ dbt.type_timestamp() }}) as watermark_at,
        run.run_reason,
        run.settings_json,
        cast(events_written.row_count as {{ dbt.type_bigint() }}) as events_written,
        cast(sessions_written.row_count as {{ dbt.type_bigint() }}) as sessions_written,
        cast(rows_rejected.row_count as {{ dbt.type_bigint() }}) as rows_rejected,
        cast(identifies_read.row_count as {{ dbt.type_bigint() }}) as identifies_read,
        {#- What the next run's missed-rows check starts from, when its lookback is this one's. #}
        cast({{ rudderstack_lookback_minutes() }} as {{ dbt.type_numeric() }}) as lookback_minutes,
        cast({{ values.checked_through }} as {{ dbt.type_timestamp() }}) as checked_through,
        cast({{ values.activity_rows }} as {{ dbt.type_bigint() }}) as activity_rows_through,
        cast({{ values.identify_rows }} as {{ dbt.type_bigint() }}) as identify_rows_through,
        {#- Last: the partition column, where Spark keeps it. #}
        run.run_number
    from run
    cross join events_written
    cross join sessions_written
    cross join rows_rejected
    cross join identifies_read

)

{{ rudderstack_select_with_unreplaced_rows('final', 'stored.run_number = ' ~ window.run_number, 'run_number', window) }}
