{#-
    The staged shape of RudderStack's activity tables (tracks, pages, screens): one
    list, so the three staging models cannot drift apart. Raw names are RudderStack's
    warehouse column names; see select_rudderstack_columns for the kinds.
    event_name: the raw column(s) holding the event's name in that table.
-#}
{% macro rudderstack_activity_columns(event_name, with_passthrough=true) -%}
    {%- set columns = [
        [none, 'source_name', 'source'],
        ['id', 'event_id', 'id'],
        ['anonymous_id', 'anonymous_id', 'id'],
        ['user_id', 'user_id', 'id'],
        ['timestamp', 'event_at', 'timestamp'],
        ['timestamp', 'event_at_is_invalid', 'invalid_timestamp'],
        ['received_at', 'received_at', 'timestamp'],
        ['uuid_ts', 'loaded_at', 'timestamp'],
        [event_name, 'event_name', 'string'],
        ['channel', 'channel', 'string'],
        ['context_session_id', 'sdk_session_id', 'session_id'],
        ['context_session_start', 'is_sdk_session_start', 'boolean'],
        [['path', 'context_page_path'], 'page_path', 'string'],
        [['url', 'context_page_url'], 'page_url', 'string'],
        [['title', 'context_page_title'], 'page_title', 'string'],
        [['referrer', 'context_page_referrer'], 'page_referrer', 'string'],
        ['context_page_referring_domain', 'page_referring_domain', 'string'],
        ['context_campaign_source', 'utm_source', 'string'],
        ['context_campaign_medium', 'utm_medium', 'string'],
        ['context_campaign_name', 'utm_campaign', 'string'],
        ['context_campaign_term', 'utm_term', 'string'],
        ['context_campaign_content', 'utm_content', 'string'],
        ['context_library_name', 'library_name', 'string'],
        ['context_library_version', 'library_version', 'string'],
        ['context_os_name', 'os_name', 'string'],
        ['context_device_type', 'device_type', 'string'],
        ['context_locale', 'locale', 'string'],
        ['id', 'raw_id', 'raw_id'],
    ] + rudderstack_sessions.rudderstack_raw_arrival_columns() -%}
    {%- for passthrough in (rudderstack_sessions.rudderstack_passthrough_columns() if with_passthrough else []) -%}
        {%- do columns.append([passthrough, passthrough, 'passthrough']) -%}
    {%- endfor -%}
    {{ return(columns) }}
{%- endmacro %}


{#-
    The load columns as the raw table stores them (no conversion), so that a filter on
    them prunes the raw scan (DuckDB's zone maps, PostgreSQL's indexes, Parquet's
    statistics); rudderstack_arrival_filters writes those filters.
-#}
{% macro rudderstack_raw_arrival_columns() -%}
    {{ return([['uuid_ts', 'raw_uuid_ts', 'raw'], ['received_at', 'raw_received_at', 'raw']]) }}
{%- endmacro %}


{#- Raw columns whose absence (of every alternative) makes every row of a table rejected. -#}
{% macro rudderstack_required_columns() -%}
    {{ return([['id'], ['timestamp'], ['anonymous_id', 'user_id']]) }}
{%- endmacro %}


{#- The staged shape of `identifies`: identity and session context, not activity. -#}
{% macro rudderstack_identify_columns() -%}
    {{ return([
        [none, 'source_name', 'source'],
        ['id', 'event_id', 'id'],
        ['anonymous_id', 'anonymous_id', 'id'],
        ['user_id', 'user_id', 'id'],
        ['timestamp', 'identified_at', 'timestamp'],
        ['received_at', 'received_at', 'timestamp'],
        ['uuid_ts', 'loaded_at', 'timestamp'],
        ['channel', 'channel', 'string'],
        ['context_session_id', 'sdk_session_id', 'session_id'],
        ['context_session_start', 'is_sdk_session_start', 'boolean'],
    ] + rudderstack_sessions.rudderstack_raw_arrival_columns()) }}
{%- endmacro %}


{#-
    A var that must be a positive number (`unit` names what it counts: "days"), validated
    when dbt parses; with allow_null, NULL (off) too. The one shape of that check.
-#}
{% macro rudderstack_positive_number_var(name, unit, example, allow_null=false) -%}
    {#- example: the whole command line fragment, a literal (tests/test_vars.py pastes it into bash). -#}
    {%- set value = var(name) -%}
    {%- if value is none and allow_null -%}
        {{ return(none) }}
    {%- endif -%}
    {%- if value is boolean or value is not number or value <= 0 -%}
        {{ exceptions.raise_compiler_error(
            "var '" ~ name ~ "' must be a positive number of " ~ unit ~ (", or null (off)" if allow_null else "")
            ~ ", got '" ~ value ~ "'. Example: " ~ example
        ) }}
    {%- endif -%}
    {{ return(value) }}
{%- endmacro %}


{#-
    var('event_passthrough_columns'), validated: a list of lower-case column names
    that do not collide with a staged column.
-#}
{#-
    A var whose value is a list (null: none), or a compile error naming the var, what its
    items are (`items`), the value given and `example`: the shape check every list var shares.
-#}
{% macro rudderstack_list_var(name, items, example) -%}
    {%- set value = var(name) -%}
    {%- if value is none -%}
        {{ return([]) }}
    {%- endif -%}
    {%- if value is string or value is mapping or value is not iterable -%}
        {{ exceptions.raise_compiler_error(
            "var '" ~ name ~ "' must be a list of " ~ items ~ ", got " ~ value ~ ". Example: " ~ example
        ) }}
    {%- endif -%}
    {{ return(value | list) }}
{%- endmacro %}


{#- var('event_passthrough_columns'), validated: a list of lower-case column names that do not collide with a staged column. -#}
{% macro rudderstack_passthrough_columns() -%}
    {%- set example = "--vars '{event_passthrough_columns: [context_traits_user_type]}'" -%}
    {%- set value = rudderstack_sessions.rudderstack_list_var('event_passthrough_columns', 'column names', example) -%}
    {#- Names the project itself gives to staged and downstream columns. -#}
    {%- set reserved = [
        'actor_id', 'event_type', 'cohort', 'session_id', 'session_source', 'session_started_at',
        'is_new_session', 'event_number_in_session', 'partition_event_number', 'duplicate_row_count',
        'rejection_reason', 'arrival_rank', 'tied_row_count', 'tie_rank', 'tie_key', 'delivered_row_count',
        'identical_row_count', 'delivery_source', 'delivery_kind', 'copy_rank', 'scope_type', 'derived_from',
        'arrival_at', 'last_arrival_at', 'source_table', 'written_in_run', 'known_session_id',
        'known_anonymous_id', 'identity_changed', 'recounted_row_count', 'event_date', 'session_date',
        'arrival_date', 'session_piece', 'session_elapsed_microseconds', 'event_number_in_piece',
    ] -%}
    {%- for column in rudderstack_sessions.rudderstack_activity_columns(none, with_passthrough=false) -%}
        {%- do reserved.append(column[1]) -%}
    {%- endfor -%}
    {%- set names = [] -%}
    {%- for item in value -%}
        {%- if item is not string or not modules.re.match('^[A-Za-z_][A-Za-z0-9_]*$', item) -%}
            {{ exceptions.raise_compiler_error(
                "var 'event_passthrough_columns': '" ~ item ~ "' is not a plain column name. Example: " ~ example
            ) }}
        {%- endif -%}
        {%- if item | lower in reserved -%}
            {{ exceptions.raise_compiler_error(
                "var 'event_passthrough_columns': '" ~ item ~ "' is already a staged column of this project"
                ~ " (a reserved name); list raw RudderStack columns such as context_traits_user_type. Example: " ~ example
            ) }}
        {%- endif -%}
        {%- if item | lower not in names -%}
            {%- do names.append(item | lower) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(names) }}
{%- endmacro %}


{#-
    Passthrough column name -> SQL type: the type the column has in the activity
    tables of every source that hold it (text when they disagree or none holds it), so
    the staging models union cleanly.
-#}
{% macro rudderstack_passthrough_types() -%}
    {%- set found = {} -%}
    {%- for table_key in ['tracks', 'pages', 'screens'] -%}
        {%- for source_name, relation in rudderstack_sessions.rudderstack_source_relations(table_key) -%}
            {%- set existing = rudderstack_sessions.rudderstack_existing_columns(relation) or {} -%}
            {%- for name in rudderstack_sessions.rudderstack_passthrough_columns() if name in existing -%}
                {%- do found.setdefault(name, []).append(existing[name].data_type | lower) -%}
            {%- endfor -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- set types = {} -%}
    {%- for name in rudderstack_sessions.rudderstack_passthrough_columns() -%}
        {%- set seen = found.get(name, []) | unique | list -%}
        {%- do types.update({name: seen[0] if seen | length == 1 else dbt.type_string()}) -%}
    {%- endfor -%}
    {{ return(types) }}
{%- endmacro %}


{#- Column names of the unified activity stream (int_events_unioned, int_events_arrived). -#}
{% macro rudderstack_event_columns() -%}
    {%- set names = ['event_type'] -%}
    {%- for column in rudderstack_sessions.rudderstack_activity_columns(none) if column[2] not in ['raw', 'raw_id', 'invalid_timestamp'] -%}
        {%- do names.append(column[1]) -%}
    {%- endfor -%}
    {%- do names.append('actor_id') -%}
    {%- do names.append('arrival_at') -%}
    {{ return(names) }}
{%- endmacro %}
