{{ config(**rudderstack_state_config('delete+insert', partition_column='event_date', unique_key='event_id')) }}
{{ config(
    pre_hook="{{ rudderstack_delete_replaced_rows() }}",
) }}  {#- an incremental run rewrites the events of the sessions it rebuilt -#}

{%- set carried = [
    'event_id', 'session_id', 'actor_id', 'event_at', 'cohort', 'session_source',
    'sdk_session_id', 'event_number_in_session', 'last_arrival_at', 'duplicate_row_count',
] -%}
{%- set kept_columns = [
    'event_type', 'event_name', 'anonymous_id', 'user_id', 'channel', 'is_sdk_session_start', 'page_path', 'page_url', 'page_title',
    'page_referrer', 'page_referring_domain', 'utm_source', 'utm_medium', 'utm_campaign', 'utm_term',
    'utm_content', 'library_name', 'library_version', 'os_name', 'device_type', 'locale', 'received_at',
    'loaded_at',
] -%}

{%- if rudderstack_passthrough_columns() %}
-- depends_on: {{ ref('fct_events_passthrough') }} (written first: fct_events' kept rows pair with it)
{%- endif %}

with sessions as (

    select * from {{ ref('int_events_sessionized') }}

),

sessionized_events as (

    {#-
        Every event on a full build; on an incremental run, every event of the sessions
        it rebuilt. Session and dedup facts come from the sessionization; the rest of
        each row from the delivery deduplication kept (or, for an event not received
        again, from this table as it stood).
    #}
    {{ rudderstack_kept_rows(
        'sessions', carried, kept_columns,
        stored=this if is_incremental() and rudderstack_incremental_cutoff() is not none else none,
    ) }}

),

final as (

    select
        event_id,
        session_id,
        actor_id,
        anonymous_id,
        user_id,
        event_at,
        event_type,
        event_name,
        channel,
        cohort,
        session_source,
        sdk_session_id,
        is_sdk_session_start,
        event_number_in_session,
        page_path,
        page_url,
        page_title,
        page_referrer,
        page_referring_domain,
        utm_source,
        utm_medium,
        utm_campaign,
        utm_term,
        utm_content,
        library_name,
        library_version,
        os_name,
        device_type,
        locale,
        received_at,
        loaded_at,
        last_arrival_at,
        duplicate_row_count,
        cast(event_at as date) as event_date
    from sessionized_events

)

{#- Replaced: the stored rows of the events this run rewrites (one row each in int_events_sessionized). #}
{{ rudderstack_select_with_unreplaced_rows(
    'final', rudderstack_events_replaced(ref('int_events_sessionized')), 'event_date'
) }}
