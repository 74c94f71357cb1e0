{#-
    Incremental runs (docs/decisions/0004-incremental-sessionization.md).

    A run is incremental when every state model exists, fct_sessions holds sessions,
    and --full-refresh is not set. It then reads the raw rows that arrived after the
    cutoff: the latest arrival fct_sessions has absorbed, minus var
    incremental_lookback_minutes. fct_sessions is the last state model a run writes,
    so a run that stops part-way leaves the cutoff where it was, and the next run
    reads the same rows again (every state model is idempotent over them).
-#}

{#- The state models: all must exist for an incremental run. -#}
{% macro rudderstack_state_models() -%}
    {%- set models = ['int_events_rejected', 'int_event_deliveries', 'fct_events', 'fct_sessions'] -%}
    {%- if rudderstack_passthrough_columns() -%}
        {%- do models.append('fct_events_passthrough') -%}
    {%- endif -%}
    {{ return(models) }}
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
            {{ return(none) }}
        {%- endif -%}
    {%- endfor -%}
    {%- set result = run_query(
        'select max(last_arrival_at) from ' ~ rudderstack_model_relation('fct_sessions')) -%}
    {%- set latest = result.columns[0].values()[0] -%}
    {%- if latest is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- if latest is string -%}
        {%- set latest = modules.datetime.datetime.fromisoformat(latest) -%}
    {%- endif -%}
    {%- set cutoff = latest - modules.datetime.timedelta(minutes=rudderstack_lookback_minutes()) -%}
    {{ return("cast('" ~ cutoff.strftime('%Y-%m-%d %H:%M:%S.%f') ~ "' as " ~ dbt.type_timestamp() ~ ")") }}
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
    Pre-hook of the models that keep one row per raw row (int_event_deliveries,
    int_events_rejected): before an incremental run appends the rows that arrived after
    the cutoff, delete the ones it stored from that window last time, so reading the
    lookback window again never counts a row twice. A full rebuild of an existing
    table deletes everything first.
-#}
{% macro rudderstack_replace_arrival_window() -%}
    {%- if execute and is_incremental() -%}
        {%- set cutoff = rudderstack_incremental_cutoff() -%}
        delete from {{ this }}
        {%- if cutoff is not none %}
        where arrival_at > {{ cutoff }}
        {%- endif %}
    {%- endif -%}
{%- endmacro %}


{#-
    Fail loudly when raw rows arrived at or before the cutoff but were never read: they
    were loaded after the run that passed their arrival time, further back than the
    lookback reaches. Counts raw rows (activity and identify calls) against the rows the
    state has absorbed (the delivery ledger and the rejected rows).
-#}
{% macro rudderstack_assert_no_missed_rows(cutoff) -%}
    {%- if not execute or cutoff is none -%}
        {{ return('') }}
    {%- endif -%}
    {%- set check -%}
        select
            (select count(*) from {{ ref('int_events_unioned') }} where arrival_at <= {{ cutoff }})
            + (select count(*) from {{ ref('stg_rudderstack__identifies') }} where arrival_at <= {{ cutoff }})
            as raw_rows,
            (select count(*) from {{ rudderstack_model_relation('int_event_deliveries') }} where arrival_at <= {{ cutoff }})
            + (select count(*) from {{ rudderstack_model_relation('int_events_rejected') }} where arrival_at <= {{ cutoff }})
            as absorbed_rows
    {%- endset -%}
    {%- set row = run_query(check).rows[0] -%}
    {%- if row[0] > row[1] -%}
        {{ exceptions.raise_compiler_error(
            (row[0] - row[1]) ~ " raw RudderStack rows arrived (uuid_ts, else received_at) at or before the"
            ~ " incremental cutoff " ~ cutoff ~ " but were loaded after the run that passed it: an incremental run"
            ~ " would never read them, and sessions would be silently wrong. The lookback"
            ~ " (var incremental_lookback_minutes = " ~ rudderstack_lookback_minutes() ~ ") is shorter than the delay"
            ~ " between a row's arrival time and its load. Raise it to cover your loader's delay, then rebuild:"
            ~ " dbt build --full-refresh"
        ) }}
    {%- endif -%}
    {{ return('') }}
{%- endmacro %}


{#- Where a row arrived: its load time when the table has one, else its receive time. -#}
{% macro rudderstack_arrival_at(loaded_at='loaded_at', received_at='received_at') -%}
    coalesce({{ loaded_at }}, {{ received_at }}, cast('1970-01-01 00:00:00' as {{ dbt.type_timestamp() }}))
{%- endmacro %}
