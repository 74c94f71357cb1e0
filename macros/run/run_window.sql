{#-
    The run window (docs/sessionization.md, "The run window").

    int_run_window decides it once per run, at the start, and holds it as data (one row):
    the run's number, whether it is incremental, the cutoff (exclusive lower bound on a
    raw row's arrival; NULL on a full build) and the upper bound (the run's start: rows
    loaded while it runs wait for the next). Every other model reads it from there:
    through SQL, or, where an engine needs a literal to prune the raw tables, through
    rudderstack_run_window(), which reads the row once per model.

    It is the one model that reads what an earlier run left: the last row of state_runs
    (its watermark, the latest arrival it read, and the configuration that shaped the
    stored rows).
-#}

{#- The stored state: every table an incremental run reads back or appends to. -#}
{% macro rudderstack_state_models() -%}
    {{ return(['state_rejected_rows', 'state_identifies', 'state_events', 'state_identity_runs', 'state_sessions',
               'state_runs']) }}
{%- endmacro %}


{#- Every model an incremental run must rebuild together: they hold or read its window. -#}
{% macro rudderstack_run_models() -%}
    {{ return(rudderstack_sessions.rudderstack_state_models() + [
        'int_run_window', 'int_events_arrived', 'int_identifies_arrived', 'int_event_ids_received_earlier',
        'int_events_received_earlier',
        'int_event_deliveries', 'int_events_redelivered', 'int_events_deduplicated', 'state_sessions_rebuilt',
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


{#- A naive UTC datetime as a SQL timestamp literal, to the microsecond. -#}
{% macro rudderstack_timestamp_literal(value) -%}
    {{ return("cast('" ~ value.strftime('%Y-%m-%d %H:%M:%S.%f') ~ "' as " ~ dbt.type_timestamp() ~ ")") }}
{%- endmacro %}


{#- A timestamp as it comes back from a query (a datetime, or text on some adapters), naive UTC. -#}
{% macro rudderstack_as_datetime(value) -%}
    {%- if value is none -%}{{ return(none) }}{%- endif -%}
    {%- if value is string -%}
        {%- set value = modules.datetime.datetime.fromisoformat(value) -%}
    {%- endif -%}
    {%- if value.tzinfo is not none -%}
        {%- set value = value.astimezone(modules.pytz.utc).replace(tzinfo=none) -%}
    {%- endif -%}
    {{ return(value) }}
{%- endmacro %}


{#-
    Decide the run window (int_run_window only). A run is incremental when state_runs
    records a finished run, every state model exists, --full-refresh is not set and the
    configuration that shaped the stored rows is unchanged (else var
    rudderstack_on_config_change decides: fail, naming what changed, or rebuild). An
    incremental run first checks that no raw row fell behind its cutoff unread.
-#}
{% macro rudderstack_decide_run_window() -%}
    {%- set upper = run_started_at.astimezone(modules.pytz.utc).replace(tzinfo=none) -%}
    {%- set window = {'run_number': 1, 'is_incremental': false, 'cutoff': none, 'upper': upper,
                      'watermark': none, 'config': {}, 'reason': 'first run'} -%}
    {%- if not execute or model.resource_type == 'unit_test' -%}
        {{ return(window) }}
    {%- endif -%}
    {{ rudderstack_sessions.rudderstack_check_cli_vars() }}
    {{ rudderstack_sessions.rudderstack_check_near_miss_vars() }}
    {{ rudderstack_sessions.rudderstack_check_raw_tables() }}
    {{ rudderstack_sessions.rudderstack_check_analyst_roles() }}
    {%- set config = rudderstack_sessions.rudderstack_state_settings() -%}
    {%- set on_config_change = rudderstack_sessions.rudderstack_on_config_change() -%}
    {%- do window.update({'config': config}) -%}
    {%- set runs = rudderstack_sessions.rudderstack_model_relation('state_runs') -%}
    {%- set previous = none -%}
    {%- if runs is not none -%}
        {%- set result = run_query(
            'select run_number, watermark_at, settings_json from ' ~ runs ~ ' order by run_number desc limit 1') -%}
        {%- if result.rows | length > 0 -%}
            {%- set previous = result.rows[0] -%}
        {%- endif -%}
    {%- endif -%}
    {%- if previous is none -%}
        {{ return(window) }}
    {%- endif -%}
    {%- do window.update({'run_number': previous[0] + 1, 'watermark': rudderstack_sessions.rudderstack_as_datetime(previous[1])}) -%}
    {%- if flags.FULL_REFRESH -%}
        {%- do window.update({'reason': '--full-refresh'}) -%}
        {{ return(window) }}
    {%- endif -%}
    {%- set missing = [] -%}
    {%- for name in rudderstack_sessions.rudderstack_state_models() if rudderstack_sessions.rudderstack_model_relation(name) is none -%}
        {%- do missing.append(name) -%}
    {%- endfor -%}
    {%- if missing -%}
        {%- do window.update({'reason': 'state model ' ~ missing | join(', ') ~ ' does not exist'}) -%}
        {{ log("rudderstack_sessions: " ~ missing | join(', ') ~ " does not exist, so this run rebuilds everything"
            ~ " from all the data", info=true) }}
        {{ return(window) }}
    {%- endif -%}
    {%- set changed = rudderstack_sessions.rudderstack_config_changes(fromjson(previous[2]), config) -%}
    {%- if changed -%}
        {%- if on_config_change == 'fail' -%}
            {{ exceptions.raise_compiler_error(
                "The stored sessions were built with other settings than this run's, so an incremental run would"
                ~ " mix them: " ~ changed | join('; ') ~ ". Rebuild with: dbt build --full-refresh"
                ~ " (or let runs rebuild by themselves: --vars '{rudderstack_on_config_change: full_refresh}')."
                ~ " Nothing was written."
            ) }}
        {%- endif -%}
        {%- do window.update({'reason': 'changed settings (' ~ changed | join('; ') ~ ')'}) -%}
        {{ log("rudderstack_sessions: rebuilding from all the data, as the settings changed: "
            ~ changed | join('; '), info=true) }}
        {{ return(window) }}
    {%- endif -%}
    {%- if window.watermark is none -%}
        {%- do window.update({'reason': 'the previous run read no rows'}) -%}
        {{ return(window) }}
    {%- endif -%}
    {{ rudderstack_sessions.rudderstack_assert_whole_run_selected() }}
    {%- set cutoff = window.watermark - modules.datetime.timedelta(minutes=rudderstack_sessions.rudderstack_lookback_minutes()) -%}
    {%- do window.update({'is_incremental': true, 'cutoff': cutoff, 'reason': 'incremental'}) -%}
    {{ return(window) }}
{%- endmacro %}


{#-
    The run window, read from int_run_window (one query: call it once per model):
    {run_number, is_incremental, cutoff_at, upper_at, future_at} (naive UTC datetimes;
    cutoff_at none on a full build). Parse time and unit tests get a full window. The
    models that call it ref int_run_window themselves.
    future_at: a day after upper_at. A row that arrived after upper_at (the run's start)
    is the next run's, unless it arrived after future_at: no run is that long, so its
    loader's clock is wrong, and it is rejected as 'arrival_in_future' (README, "Data
    quality and safety") rather than left out of every output until that time.
-#}
{% macro rudderstack_run_window() -%}
    {%- set relation = ref('int_run_window') -%}
    {%- set window = {'run_number': 1, 'is_incremental': false, 'cutoff_at': none,
                      'upper_at': run_started_at.astimezone(modules.pytz.utc).replace(tzinfo=none)} -%}
    {#- Not built yet (dbt compile, sqlfluff on a fresh database): as a first run would see it. -#}
    {%- if not execute or model.resource_type == 'unit_test' or load_relation(relation) is none -%}
        {%- do window.update({'future_at': window.upper_at + modules.datetime.timedelta(days=1)}) -%}
        {{ return(window) }}
    {%- endif -%}
    {%- set row = run_query('select run_number, is_incremental, cutoff, upper_bound from ' ~ relation).rows[0] -%}
    {%- do window.update({
        'run_number': row[0] | int,
        'is_incremental': row[1] in [true, 'true', 'True', 1],
        'cutoff_at': rudderstack_sessions.rudderstack_as_datetime(row[2]),
        'upper_at': rudderstack_sessions.rudderstack_as_datetime(row[3]),
    }) -%}
    {%- do window.update({'future_at': window.upper_at + modules.datetime.timedelta(days=1)}) -%}
    {{ return(window) }}
{%- endmacro %}


{#-
    Whether this run is incremental, for a hook: int_run_window's row, found without a
    ref (a hook that refs it would make every model, int_run_window too, depend on it).
    False before int_run_window is built.
-#}
{% macro rudderstack_run_is_incremental() -%}
    {%- set relation = rudderstack_sessions.rudderstack_model_relation('int_run_window') -%}
    {%- if relation is none -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set value = run_query('select is_incremental from ' ~ relation).rows[0][0] -%}
    {{ return(value in [true, 'true', 'True', 1]) }}
{%- endmacro %}


{#-
    An incremental run rebuilds a chain of views and tables that hold its window; running
    part of it (dbt run -s state_events) would mix windows. Fail early instead.
-#}
{% macro rudderstack_assert_whole_run_selected() -%}
    {%- set selected = selected_resources | default([]) -%}
    {%- set missing = [] -%}
    {%- for node in graph.nodes.values()
        if node.resource_type == 'model' and node.package_name == 'rudderstack_sessions'
        and node.name in rudderstack_sessions.rudderstack_run_models() and node.unique_id not in selected -%}
        {%- do missing.append(node.name) -%}
    {%- endfor -%}
    {%- if missing and selected and not var('rudderstack_allow_partial_runs', false) -%}
        {{ exceptions.raise_compiler_error(
            "An incremental run must rebuild every sessionization model together; this selection leaves out "
            ~ missing | sort | join(', ') ~ ". Select them all, for example: dbt build --selector rudderstack_sessions"
            ~ " (or, to debug, --vars '{rudderstack_allow_partial_runs: true}')"
        ) }}
    {%- endif -%}
{%- endmacro %}


{#- var('rudderstack_lookback_minutes'), validated: how far behind the last run's latest arrival an incremental run reads again. -#}
{% macro rudderstack_lookback_minutes() -%}
    {%- set value = var('rudderstack_lookback_minutes') -%}
    {%- if value is boolean or value is not number or value < 0 -%}
        {{ exceptions.raise_compiler_error(
            "var 'rudderstack_lookback_minutes' must be a number of minutes, 0 or more, got '" ~ value
            ~ "'. Example: --vars '{rudderstack_lookback_minutes: 180}'"
        ) }}
    {%- endif -%}
    {{ return(value) }}
{%- endmacro %}


{#- var rudderstack_on_config_change: fail (default) or full_refresh. -#}
{% macro rudderstack_on_config_change() -%}
    {%- set value = var('rudderstack_on_config_change', 'fail') -%}
    {%- if value not in ['fail', 'full_refresh'] -%}
        {{ exceptions.raise_compiler_error(
            "var 'rudderstack_on_config_change' must be fail or full_refresh, got '" ~ value
            ~ "'. Example: --vars '{rudderstack_on_config_change: full_refresh}'"
        ) }}
    {%- endif -%}
    {{ return(value) }}
{%- endmacro %}


{#-
    Mistakes in the vars that point at the raw tables, found before anything is written:
    - a RudderStack schema that holds none of the event tables (a typo, another source's
      schema) is not a workspace without events: fail, naming the schema and the vars,
      rather than build empty marts (or, on an existing build, report the stored events'
      raw rows as deleted);
    - a passthrough column that no event table holds would be NULL on every event: warn,
      naming it (it may be a trait the SDKs have not sent yet).
    Every source (rudderstack_sources) is checked: one that holds no event table is a mistake.
    The demo seeds (no source set) are the project's own and load in the same build.
-#}
{% macro rudderstack_check_raw_tables() -%}
    {%- if rudderstack_sessions.rudderstack_uses_demo_data() -%}
        {{ return('') }}
    {%- endif -%}
    {%- set passthrough = rudderstack_sessions.rudderstack_passthrough_columns() -%}
    {%- set looked_for, found, held, sources_found = [], [], [], [] -%}
    {%- for table_key in ['tracks', 'pages', 'screens'] -%}
        {%- for source_name, relation in rudderstack_sessions.rudderstack_source_relations(table_key) -%}
            {%- if relation.identifier not in looked_for -%}
                {%- do looked_for.append(relation.identifier) -%}
            {%- endif -%}
            {%- set existing = rudderstack_sessions.rudderstack_existing_columns(relation) -%}
            {%- if existing is not none -%}
                {%- do found.append(relation.identifier) -%}
                {%- do sources_found.append(source_name) -%}
                {%- do held.extend(passthrough | select('in', existing) | list) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- set empty = [] -%}
    {%- for item in rudderstack_sessions.rudderstack_sources() if item.name not in sources_found -%}
        {%- do empty.append("schema " ~ item.schema ~ " (database " ~ item.database ~ ", source " ~ item.name ~ ")") -%}
    {%- endfor -%}
    {%- if empty -%}
        {{ exceptions.raise_compiler_error(
            "rudderstack_sessions: " ~ empty | join('; ') ~ (" holds" if empty | length == 1 else " hold")
            ~ " none of RudderStack's event tables (" ~ looked_for | join(', ') ~ "). Set var rudderstack_schema"
            ~ " (one source) or rudderstack_sources (several) to the schemas your RudderStack warehouse destination"
            ~ " writes to (and rudderstack_database, rudderstack_tracks_table, rudderstack_pages_table or"
            ~ " rudderstack_screens_table if yours differ), for example:"
            ~ " dbt build --vars '{rudderstack_schema: rudderstack_prod}'. Nothing was written."
        ) }}
    {%- endif -%}
    {%- for column in passthrough if column not in held -%}
        {%- do exceptions.warn(
            "rudderstack_sessions: var event_passthrough_columns names " ~ column ~ ", which none of "
            ~ found | unique | join(', ') ~ " holds in " ~ rudderstack_sessions.rudderstack_sources() | map(attribute='schema')
            | join(', ') ~ ": it is NULL on every event."
            ~ " Check its spelling (RudderStack's column names are lower case, e.g. context_traits_user_type)."
        ) -%}
    {%- endfor -%}
{%- endmacro %}
