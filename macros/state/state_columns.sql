{#-
    The columns state_events keeps of every event, besides its session: those of the
    kept delivery that fct_events shows, the delivery counts, and the passthrough
    columns (fct_events_passthrough).
-#}
{% macro rudderstack_state_event_columns() -%}
    {{ return([
        'event_id', 'actor_id', 'anonymous_id', 'user_id', 'event_at', 'event_type', 'event_name', 'channel',
        'source_name', 'cohort', 'sdk_session_id', 'is_sdk_session_start', 'page_path', 'page_url', 'page_title', 'page_referrer',
        'page_referring_domain', 'utm_source', 'utm_medium', 'utm_campaign', 'utm_term', 'utm_content',
        'library_name', 'library_version', 'os_name', 'device_type', 'locale', 'received_at', 'loaded_at',
        'last_arrival_at', 'duplicate_row_count',
    ] + rudderstack_sessions.rudderstack_passthrough_columns()) }}
{%- endmacro %}


{#- 1 when an event (alias) observes that its anonymous id is a user (it carries both ids), else 0. -#}
{% macro rudderstack_identity_link(alias) -%}
    case when {{ alias }}.anonymous_id is not null and {{ alias }}.user_id is not null then 1 else 0 end
{%- endmacro %}


{#- The columns of a session that its events decide (state_sessions), qualified by `alias` when given. -#}
{% macro rudderstack_session_columns(alias=none) -%}
    {%- set columns = [
        'session_id', 'actor_id', 'anonymous_id', 'session_user_id', 'session_source', 'sdk_session_id', 'cohort',
        'channel', 'source_name', 'session_started_at', 'session_ended_at', 'duration_seconds', 'event_count', 'track_count',
        'page_count', 'screen_count', 'landing_page_path', 'exit_page_path', 'referrer', 'referring_domain',
        'utm_source', 'utm_medium', 'utm_campaign', 'utm_term', 'utm_content', 'channel_group', 'device_type',
        'os_name', 'library_name', 'library_version', 'is_bounce', 'is_engaged', 'session_start_flag_count',
        'has_session_start_flag', 'is_first_event_session_start', 'last_arrival_at',
    ] -%}
    {%- set qualified = [] -%}
    {%- for column in columns -%}
        {%- do qualified.append(alias ~ '.' ~ column if alias else column) -%}
    {%- endfor -%}
    {{ return(qualified | join(', ')) }}
{%- endmacro %}


{#-
    The stored sessions a run of state_sessions replaces, besides its own rows (keyed by
    session_id): the rows of sessions that vanished in an earlier run. With `cte`, its
    own rows too (for Spark's partition rewrites).
-#}
{% macro rudderstack_sessions_replaced(cte=none) -%}
    {%- set window = rudderstack_sessions.rudderstack_run_window() -%}
    {%- set condition -%}
        (not stored.is_current and stored.written_in_run < {{ window.run_number }})
        {%- if cte %}
        or exists (select 1 from {{ cte }} as run_sessions where run_sessions.session_id = stored.session_id)
        {%- endif %}
    {%- endset -%}
    {{ return(condition) }}
{%- endmacro %}


{#-
    How many raw activity rows a stored event (alias) accounts for through the run's
    cutoff (docs/sessionization.md, "Rows the run cannot see"): all its deliveries once its
    last one arrived by then, else none. 0 on a full build (no cutoff).
-#}
{% macro rudderstack_rows_counted_through_cutoff(alias, cutoff='run.cutoff') -%}
    case when {{ alias }}.last_arrival_at <= {{ cutoff }} then 1 + {{ alias }}.duplicate_row_count else 0 end
{%- endmacro %}
