{{ config(materialized='view') }}  {#- the stored sessions as analysts read them: no copy -#}

{#-
    One row per session, with where it came from, what happened in it and who it was
    (state_sessions stores them, stitching included, and keeps each current), and flags
    for sessions no person would make (macros/marts/session_flags.sql).
-#}

with sessions as (

    select * from {{ ref('state_sessions') }}
    where is_current

),

final as (

    select
        {{ rudderstack_session_columns() }},
        session_date,
        stitched_user_id,
        user_session_number,
        {{ rudderstack_session_flags() }}
    from sessions

)

select * from final
