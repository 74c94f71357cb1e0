{{ config(materialized='view') }}  {#- the stored sessions as analysts read them: no copy -#}

{#-
    One row per session, with where it came from, what happened in it and who it was
    (state_sessions stores them, stitching included, and keeps each current), flags
    for sessions no person would make (macros/marts/session_flags.sql), and the last
    non-direct touch (int_sessions_last_non_direct).
-#}

with sessions as (

    select * from {{ ref('state_sessions') }}
    where is_current

),

last_non_direct as (

    select * from {{ ref('int_sessions_last_non_direct') }}

),

final as (

    select
        {{ rudderstack_session_columns('sessions') }},
        sessions.session_date,
        sessions.stitched_user_id,
        sessions.user_session_number,
        {{ rudderstack_session_flags() }},
        last_non_direct.last_non_direct_session_id,
        last_non_direct.last_non_direct_channel_group,
        last_non_direct.last_non_direct_utm_source,
        last_non_direct.last_non_direct_utm_medium,
        last_non_direct.last_non_direct_utm_campaign,
        last_non_direct.last_non_direct_referring_domain
    from sessions
    left join last_non_direct on sessions.session_id = last_non_direct.session_id

)

select * from final
