{{ config(
    materialized='incremental',
    incremental_strategy='insert_overwrite' if rudderstack_is_spark() else 'append',
    pre_hook="{{ rudderstack_sessions.rudderstack_replace_all_rows() }}",
) }}  {#- rebuilt whole at every run, in place: the fct_sessions view reads it (docs/decisions/0012-conversions.md) -#}

{#-
    Last non-direct attribution (README, "Where sessions come from, and who they are"), one
    row per current session: a session that is not Direct is its own last non-direct
    touch; a Direct one takes the most recent earlier non-Direct session of the same user
    (the stitched user, else the actor: user_session_number's order) when that session
    started at most var rudderstack_attribution_lookback_days before it, else it stays
    Direct. Rebuilt from the stored sessions on every run, as the funnels are, so an
    incremental run gives what a full refresh gives; emptied and refilled in place, as
    fct_conversions is: replacing a PostgreSQL table drops the views that read it (cascade).
    The most recent non-Direct session is found without IGNORE NULLS (PostgreSQL has
    none): the running maximum of the numbers of non-Direct sessions, joined back.
-#}

with sessions as (

    select
        session_id,
        case when stitched_user_id is null then 'a|' || actor_id else 'u|' || stitched_user_id end as user_key,
        user_session_number,
        session_started_at,
        channel_group,
        utm_source,
        utm_medium,
        utm_campaign,
        referring_domain
    from {{ ref('state_sessions') }}
    where is_current

),

latest as (

    select
        session_id,
        user_key,
        session_started_at,
        max(case when channel_group != 'Direct' then user_session_number end) over (
            partition by user_key
            order by user_session_number
            rows between unbounded preceding and current row
        ) as touch_number
    from sessions

),

final as (

    select
        latest.session_id,
        touch.session_id as last_non_direct_session_id,
        coalesce(touch.channel_group, 'Direct') as last_non_direct_channel_group,
        touch.utm_source as last_non_direct_utm_source,
        touch.utm_medium as last_non_direct_utm_medium,
        touch.utm_campaign as last_non_direct_utm_campaign,
        touch.referring_domain as last_non_direct_referring_domain
    from latest
    left join sessions as touch
        on
            latest.user_key = touch.user_key
            and latest.touch_number = touch.user_session_number
            and {{ epoch_microseconds('latest.session_started_at') }}
            - {{ epoch_microseconds('touch.session_started_at') }}
            <= {{ rudderstack_attribution_lookback_microseconds() }}

)

select * from final
