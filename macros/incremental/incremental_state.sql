{#-
    Incremental runs (docs/decisions/0004-incremental-sessionization.md).

    A run is incremental when every state model exists, int_sessions holds sessions,
    and --full-refresh is not set. It then reads the raw rows that arrived in its
    window: after the cutoff (the latest arrival int_sessions has absorbed, minus var
    incremental_lookback_minutes) and no later than the run's start, so every model of
    the run reads the same rows. int_sessions is the last state model a run writes, so
    a run that stops part-way leaves the cutoff where it was, and the next run reads
    the same rows again (every state model is idempotent over them).
-#}

{#- The state models: all must exist for an incremental run. -#}
{% macro rudderstack_state_models() -%}
    {%- set models = ['int_events_rejected', 'int_event_deliveries', 'fct_events', 'int_sessions'] -%}
    {%- if rudderstack_passthrough_columns() -%}
        {%- do models.append('fct_events_passthrough') -%}
    {%- endif -%}
    {{ return(models) }}
{%- endmacro %}


{#- Every model an incremental run rebuilds (views included: they hold the run's window). -#}
{% macro rudderstack_run_models() -%}
    {{ return(rudderstack_state_models() + [
        'int_events_arrived', 'int_events_deduplicated', 'int_sessionization_scope',
        'int_events_to_sessionize', 'int_events_sessionized',
    ]) }}
{%- endmacro %}


{#- The relation of one of this project's models, or none when it is not built. -#}
{% macro rudderstack_model_relation(model_name) -%}
    {%- for node in graph.nodes.values()
        if node.resource_type == 'model' and node.package_name == 'rudderstack_sessions' and node.name == model_name -%}
        {{ return(adapter.get_relation(database=node.database, schema=node.schema, identifier=node.alias)) }}
    {%- endfor -%}
    {{ return(none) }}
{%- endmacro %}


{#-
    The incremental cutoff as a SQL timestamp literal, or none for a full build (first
    run, --full-refresh, missing state, unit tests, or parse time).
-#}
{% macro rudderstack_incremental_cutoff() -%}
    {%- if not execute or flags.FULL_REFRESH or model.resource_type == 'unit_test' -%}
        {{ return(none) }}
    {%- endif -%}
    {%- for model_name in rudderstack_state_models() -%}
        {%- if rudderstack_model_relation(model_name) is none -%}
            {%- if rudderstack_model_relation('int_sessions') is not none -%}
                {{ log("rudderstack_sessions: " ~ model_name ~ " does not exist, so " ~ model.name
                    ~ " is built from all the data, not incrementally", info=true) }}
            {%- endif -%}
            {{ return(none) }}
        {%- endif -%}
    {%- endfor -%}
    {%- set result = run_query(
        'select max(last_arrival_at) from ' ~ rudderstack_model_relation('int_sessions')) -%}
    {%- set latest = result.columns[0].values()[0] -%}
    {%- if latest is none -%}
        {{ return(none) }}
    {%- endif -%}
    {{ rudderstack_assert_whole_run_selected() }}
    {%- if latest is string -%}
        {%- set latest = modules.datetime.datetime.fromisoformat(latest) -%}
    {%- endif -%}
    {%- set cutoff = latest - modules.datetime.timedelta(minutes=rudderstack_lookback_minutes()) -%}
    {{ return(rudderstack_timestamp_literal(cutoff)) }}
{%- endmacro %}


{% macro rudderstack_timestamp_literal(value) -%}
    {{ return("cast('" ~ value.strftime('%Y-%m-%d %H:%M:%S.%f') ~ "' as " ~ dbt.type_timestamp() ~ ")") }}
{%- endmacro %}


{#- The latest arrival a run reads: its start (UTC), the same for every model of the run. -#}
{% macro rudderstack_run_bound() -%}
    {{ return(rudderstack_timestamp_literal(run_started_at.astimezone(modules.pytz.utc).replace(tzinfo=none))) }}
{%- endmacro %}


{#-
    The arrival window of a run, as a condition on `column`: after the cutoff (when
    incremental) and no later than the run's start. The one place the window is written.
-#}
{% macro rudderstack_in_arrival_window(column='arrival_at', cutoff=none) -%}
    {%- if cutoff is not none -%}
        {{ column }} > {{ cutoff }} and {{ column }} <= {{ rudderstack_run_bound() }}
    {%- else -%}
        {{ column }} <= {{ rudderstack_run_bound() }}
    {%- endif -%}
{%- endmacro %}


{#-
    An incremental run rebuilds a chain of views and tables that hold its window; running
    part of it (dbt run -s fct_events) would mix windows. Fail early instead.
-#}
{% macro rudderstack_assert_whole_run_selected() -%}
    {%- set selected = selected_resources | default([]) -%}
    {%- set missing = [] -%}
    {%- for node in graph.nodes.values()
        if node.resource_type == 'model' and node.package_name == 'rudderstack_sessions'
        and node.name in rudderstack_run_models() and node.unique_id not in selected -%}
        {%- do missing.append(node.name) -%}
    {%- endfor -%}
    {%- if missing and selected and not var('incremental_allow_partial_runs', false) -%}
        {{ exceptions.raise_compiler_error(
            "An incremental run must rebuild every sessionization model together; this selection leaves out "
            ~ missing | sort | join(', ') ~ ". Select them all, for example: dbt build --select +fct_sessions"
            ~ " (or, to debug, --vars '{incremental_allow_partial_runs: true}')"
        ) }}
    {%- endif -%}
{%- endmacro %}


{% macro rudderstack_lookback_minutes() -%}
    {%- set value = var('incremental_lookback_minutes') -%}
    {%- if value is boolean or value is not number or value < 0 -%}
        {{ exceptions.raise_compiler_error(
            "var 'incremental_lookback_minutes' must be a number of minutes, 0 or more, got '" ~ value
            ~ "'. Example: --vars '{incremental_lookback_minutes: 180}'"
        ) }}
    {%- endif -%}
    {{ return(value) }}
{%- endmacro %}


{#-
    The raw activity rows this run reads, with their rejection reason: on a full build,
    every row, straight from int_events_unioned (no copy); on an incremental run, the
    int_events_arrived table, which holds the rows of the arrival window, so every model
    of the run reads them from there instead of scanning the raw tables.
-#}
{% macro rudderstack_arrived_rows() -%}
    {%- set arrived = ref('int_events_arrived') -%}
    {%- set unioned = ref('int_events_unioned') -%}
    {%- set cutoff = rudderstack_incremental_cutoff() -%}
    {%- if cutoff is none -%}
        (
            select {{ rudderstack_rejection_reason() }} as rejection_reason, *
            from {{ unioned }}
            where {{ rudderstack_in_arrival_window() }}
        )
    {%- else -%}
        {{ arrived }}
    {%- endif -%}
{%- endmacro %}


{#-
    Every current raw delivery (valid or not) of the events a run deduplicates: on a
    full build, every raw row; on an incremental run, every raw row whose id arrived in
    the window, whenever its own delivery arrived. Deduplicating an event over all its
    deliveries, straight from the raw tables, gives what a full refresh gives even when
    the loader replaces rows in place.
-#}
{% macro rudderstack_delivery_rows() -%}
    {%- set unioned = ref('int_events_unioned') -%}
    {%- set cutoff = rudderstack_incremental_cutoff() -%}
    {%- if cutoff is none -%}
        {{ rudderstack_arrived_rows() }}
    {%- else -%}
        (
            select {{ rudderstack_rejection_reason() }} as rejection_reason, *
            from {{ unioned }}
            where
                {{ rudderstack_in_arrival_window() }}
                and event_id in (
                    select event_id from {{ ref('int_events_arrived') }}
                    where rejection_reason is null
                )
        )
    {%- endif -%}
{%- endmacro %}


{#-
    The stored rows a ledger's incremental run replaces (rudderstack_delete_replaced_rows,
    rudderstack_select_with_unreplaced_rows); none on a full build, which replaces all.
    int_events_rejected keeps one row per rejected raw row: a run replaces the rows of
    its window. int_event_deliveries keeps one row per valid delivery and per identify
    call: a run replaces the window and every delivery of the events it received (the
    loader may have replaced one in place), inserting them again from the raw tables.
-#}
{% macro rudderstack_arrival_window_replaced(with_received_events=false) -%}
    {%- set cutoff = rudderstack_incremental_cutoff() -%}
    {%- if cutoff is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set condition -%}
        stored.arrival_at > {{ cutoff }}
        {%- if with_received_events %}
        or (
            stored.delivery_kind = 'activity'
            and exists (
                select 1 from {{ ref('int_events_arrived') }} as arrived
                where arrived.event_id = stored.event_id and arrived.rejection_reason is null
            )
        )
        {%- endif %}
    {%- endset -%}
    {{ return(condition) }}
{%- endmacro %}


{#-
    Fail loudly when the raw rows at or before the cutoff are not the rows the state
    absorbed from them: rows loaded after the run that passed their arrival time
    (further back than the lookback reaches) would never be read, and rows deleted or
    rewritten behind the cutoff would never be noticed. Events whose id arrives in
    this run's window are left out: their deliveries are read again whatever their
    arrival, which also covers a loader that replaces rows in place.
-#}
{% macro rudderstack_assert_no_missed_rows(cutoff) -%}
    {%- if not execute or cutoff is none -%}
        {{ return('') }}
    {%- endif -%}
    {%- set unioned = ref('int_events_unioned') -%}
    {%- set identifies = ref('stg_rudderstack__identifies') -%}
    {%- set deliveries = rudderstack_model_relation('int_event_deliveries') -%}
    {%- set rejected = rudderstack_model_relation('int_events_rejected') -%}
    {%- set check -%}
        with window_ids as (
            select distinct event_id from {{ unioned }}
            where {{ rudderstack_in_arrival_window('arrival_at', cutoff) }} and event_id is not null
        ),
        raw_rows as (
            select
                {{ rudderstack_rejection_reason() }} is null as is_valid,
                event_id
            from {{ unioned }}
            where arrival_at <= {{ cutoff }}
        )
        select
            (select count(*) from raw_rows
             where is_valid and event_id not in (select event_id from window_ids))
            - (select count(*) from {{ deliveries }}
               where delivery_kind = 'activity' and arrival_at <= {{ cutoff }}
               and event_id not in (select event_id from window_ids)) as activity_difference,
            (select count(*) from raw_rows where not is_valid)
            - (select count(*) from {{ rejected }} where arrival_at <= {{ cutoff }}) as rejected_difference,
            (select count(*) from {{ identifies }} where arrival_at <= {{ cutoff }})
            - (select count(*) from {{ deliveries }}
               where delivery_kind = 'identify' and arrival_at <= {{ cutoff }}) as identify_difference
    {%- endset -%}
    {%- set differences = run_query(check).rows[0] -%}
    {%- if differences | select('ne', 0) | list -%}
        {{ exceptions.raise_compiler_error(
            "The raw RudderStack rows that arrived (uuid_ts, else received_at) at or before the incremental cutoff "
            ~ cutoff ~ " are not the rows this project read from them (more raw than read, by activity rows,"
            ~ " rejected rows and identify calls: " ~ differences | join(', ') ~ "). Positive: rows were loaded"
            ~ " after the run that passed their arrival time, further back than the lookback"
            ~ " (var incremental_lookback_minutes = " ~ rudderstack_lookback_minutes() ~ ") reaches; raise it"
            ~ " to cover your loader's delay. Negative: raw rows were deleted or rewritten behind the cutoff."
            ~ " Either way an incremental run would be silently wrong: rebuild with dbt build --full-refresh"
        ) }}
    {%- endif -%}
    {{ return('') }}
{%- endmacro %}


{#- Where a row arrived: its load time when the table has one, else its receive time. -#}
{% macro rudderstack_arrival_at(loaded_at='loaded_at', received_at='received_at') -%}
    coalesce({{ loaded_at }}, {{ received_at }}, cast('1970-01-01 00:00:00' as {{ dbt.type_timestamp() }}))
{%- endmacro %}
