{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='event_id',
) }}  {#- an incremental run rewrites the events of the sessions it rebuilt -#}

with sessionized_events as (

    select * from {{ ref('int_events_sessionized') }}

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
        duplicate_row_count
    from sessionized_events

)

select * from final
