{{ config(materialized='view') }}  {#- the stored events as analysts read them: no copy -#}

{#- One row per deduplicated, valid activity event, with its session (state_events stores them). -#}

with events as (

    select * from {{ ref('state_events') }}

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
        source_name,
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
        event_date
    from events

)

select * from final
