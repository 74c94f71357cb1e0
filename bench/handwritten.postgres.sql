-- The hand-written yardstick (PostgreSQL): the project's public outputs, written as fast as
-- we can write them by hand for this engine, from the same raw tables. hw_events holds
-- every column of fct_events; hw_sessions every column of fct_sessions but the two that
-- identity stitching decides. The bench checks both against the project's, row for row.
-- It knows what the project must find out: the generated schema, the default vars, no
-- incremental state, no rejected-row table, no checks. Text compares byte by byte
-- (collate "C"), as the project's does.
-- {schema}: the raw schema; {channel_groups}: the channel_groups seed table.
-- Statements are separated by a line holding only ';'.
-- JIT off: its LLVM compile of these queries' expressions costs seconds and saves less
-- (the project's models turn it off too, macros/cross_db/planner_hints.sql).
set enable_nestloop = off
;
set jit = off
;
create table hw_events as
with raw_rows as not materialized (
    select
        'track' as event_type, id, anonymous_id, user_id, "timestamp", received_at, uuid_ts,
        coalesce(event_text, event) as event_name, channel, context_session_id, context_session_start,
        context_page_path as page_path, context_page_url as page_url, context_page_title as page_title,
        context_page_referrer as page_referrer, context_page_referring_domain as page_referring_domain,
        context_campaign_source as utm_source, context_campaign_medium as utm_medium,
        context_campaign_name as utm_campaign, context_campaign_term as utm_term,
        context_campaign_content as utm_content, context_library_name as library_name,
        context_library_version as library_version, context_os_name as os_name,
        context_device_type as device_type, context_locale as locale
    from {schema}.tracks
    union all
    select
        'page', id, anonymous_id, user_id, "timestamp", received_at, uuid_ts, name, channel,
        context_session_id, context_session_start, coalesce(path, context_page_path),
        coalesce(url, context_page_url), coalesce(title, context_page_title),
        coalesce(referrer, context_page_referrer), context_page_referring_domain, context_campaign_source,
        context_campaign_medium, context_campaign_name, context_campaign_term, context_campaign_content,
        context_library_name, context_library_version, context_os_name, context_device_type, context_locale
    from {schema}.pages
    union all
    select
        'screen', id, anonymous_id, user_id, "timestamp", received_at, uuid_ts, name, channel,
        context_session_id, context_session_start, null, null, null, null, null, null, null, null, null, null,
        context_library_name, context_library_version, context_os_name, context_device_type, context_locale
    from {schema}.screens
),

valid as not materialized (
    select
        event_type, event_name, channel, page_path, page_url, page_title, page_referrer, page_referring_domain,
        utm_source, utm_medium, utm_campaign, utm_term, utm_content, library_name, library_version, os_name,
        device_type, locale,
        nullif(trim(id), '') as event_id,
        nullif(trim(anonymous_id), '') as anonymous_id,
        nullif(trim(user_id), '') as user_id,
        coalesce(nullif(trim(anonymous_id), ''), nullif(trim(user_id), '')) as actor_id,
        "timestamp" at time zone 'UTC' as event_at,
        received_at at time zone 'UTC' as received_at,
        uuid_ts at time zone 'UTC' as loaded_at,
        coalesce(uuid_ts at time zone 'UTC', received_at at time zone 'UTC', timestamp '1970-01-01') as arrival_at,
        cast(context_session_id as text) as sdk_session_id,
        context_session_start as is_sdk_session_start
    from raw_rows
    where
        nullif(trim(id), '') is not null
        and "timestamp" is not null
        and coalesce(nullif(trim(anonymous_id), ''), nullif(trim(user_id), '')) is not null
),

-- Most ids are delivered once: only the others are ranked.
delivery_counts as materialized (
    select event_id, count(*) as delivered, max(arrival_at) as last_arrival_at
    from valid
    group by event_id
    having count(*) > 1
),

kept as (
    select valid.*, 0 as duplicate_row_count, valid.arrival_at as last_arrival_at
    from valid
    where not exists (select 1 from delivery_counts where delivery_counts.event_id = valid.event_id)
    union all
    select
        event_type, event_name, channel, page_path, page_url, page_title, page_referrer, page_referring_domain,
        utm_source, utm_medium, utm_campaign, utm_term, utm_content, library_name, library_version, os_name,
        device_type, locale, event_id, anonymous_id, user_id, actor_id, event_at, received_at, loaded_at,
        arrival_at, sdk_session_id, is_sdk_session_start, duplicate_row_count, last_arrival_at
    from (
        select
            valid.*,
            delivery_counts.delivered - 1 as duplicate_row_count,
            delivery_counts.last_arrival_at,
            row_number() over (
                partition by valid.event_id
                order by
                    valid.received_at desc nulls last, valid.loaded_at desc nulls last, valid.event_at desc,
                    valid.event_type collate "C", valid.event_id collate "C" nulls first,
                    valid.anonymous_id collate "C" nulls first, valid.user_id collate "C" nulls first,
                    valid.event_name collate "C" nulls first, valid.channel collate "C" nulls first,
                    valid.sdk_session_id collate "C" nulls first, valid.is_sdk_session_start nulls first,
                    valid.page_path collate "C" nulls first, valid.page_url collate "C" nulls first,
                    valid.page_title collate "C" nulls first, valid.page_referrer collate "C" nulls first,
                    valid.page_referring_domain collate "C" nulls first, valid.utm_source collate "C" nulls first,
                    valid.utm_medium collate "C" nulls first, valid.utm_campaign collate "C" nulls first,
                    valid.utm_term collate "C" nulls first, valid.utm_content collate "C" nulls first,
                    valid.library_name collate "C" nulls first, valid.library_version collate "C" nulls first,
                    valid.os_name collate "C" nulls first, valid.device_type collate "C" nulls first,
                    valid.locale collate "C" nulls first
            ) as rank_in_id
        from valid
        inner join delivery_counts on valid.event_id = delivery_counts.event_id
    ) as ranked
    where rank_in_id = 1
),

gaps as (
    select
        *,
        case when channel in ('web', 'mobile', 'server') then channel else 'default' end as cohort,
        row_number() over actor_order as partition_event_number,
        case
            when sdk_session_id is not null then row_number() over actor_order = 1
            else coalesce(
                cast(extract(epoch from event_at) * 1000000 as bigint)
                - cast(extract(epoch from lag(event_at) over actor_order) * 1000000 as bigint)
                > case channel when 'mobile' then 300000000 else 1800000000 end,
                true
            )
        end as is_new_session
    from kept
    window actor_order as (partition by actor_id, sdk_session_id order by event_at, event_id collate "C")
),

sessionized as (
    select
        *,
        max(case when is_new_session then event_at end) over running as session_started_at,
        partition_event_number + 1 - max(case when is_new_session then partition_event_number end) over running
            as event_number_in_session
    from gaps
    window running as (
        partition by actor_id, sdk_session_id order by event_at, event_id collate "C"
        rows between unbounded preceding and current row
    )
)

select
    event_id,
    case
        when sdk_session_id is null
            then md5('derived|' || actor_id || '|' || cast(extract(epoch from session_started_at) * 1000000 as bigint))
        else md5('sdk|' || actor_id || '|' || sdk_session_id)
    end as session_id,
    actor_id, anonymous_id, user_id, event_at, event_type, event_name, channel, cohort,
    case when sdk_session_id is null then 'derived' else 'sdk' end as session_source,
    sdk_session_id, is_sdk_session_start, cast(event_number_in_session as bigint) as event_number_in_session,
    page_path, page_url, page_title, page_referrer, page_referring_domain, utm_source, utm_medium, utm_campaign,
    utm_term, utm_content, library_name, library_version, os_name, device_type, locale, received_at, loaded_at,
    last_arrival_at, cast(duplicate_row_count as bigint) as duplicate_row_count, cast(event_at as date) as event_date
from sessionized
;
create table hw_sessions as
with identify_flags as (
    select
        coalesce(nullif(trim(anonymous_id), ''), nullif(trim(user_id), '')) as actor_id,
        cast(context_session_id as text) as sdk_session_id,
        count(distinct nullif(trim(id), '')) as flags
    from {schema}.identifies
    where context_session_start and context_session_id is not null
    group by 1, 2
),

marks as (
    select
        session_id,
        min(case when event_type = 'page' then event_number_in_session end) as landing_number,
        max(case when event_type = 'page' then event_number_in_session end) as exit_number,
        min(case when page_referrer is not null then event_number_in_session end) as referrer_number,
        min(case when user_id is not null then event_number_in_session end) as user_number,
        min(case when coalesce(utm_source, utm_medium, utm_campaign, utm_term, utm_content) is not null
            then event_number_in_session end) as campaign_number
    from hw_events
    group by session_id
),

sessions as (
    select
        e.session_id,
        max(e.actor_id) as actor_id,
        max(e.anonymous_id) as anonymous_id,
        max(case when e.event_number_in_session = m.user_number then e.user_id end) as session_user_id,
        max(e.session_source) as session_source,
        max(e.sdk_session_id) as sdk_session_id,
        max(case when e.event_number_in_session = 1 then e.cohort end) as cohort,
        max(case when e.event_number_in_session = 1 then e.channel end) as channel,
        min(e.event_at) as session_started_at,
        max(e.event_at) as session_ended_at,
        count(*) as event_count,
        count(*) filter (where e.event_type = 'track') as track_count,
        count(*) filter (where e.event_type = 'page') as page_count,
        count(*) filter (where e.event_type = 'screen') as screen_count,
        max(case when e.event_number_in_session = m.landing_number then e.page_path end) as landing_page_path,
        max(case when e.event_number_in_session = m.exit_number then e.page_path end) as exit_page_path,
        max(case when e.event_number_in_session = m.referrer_number then e.page_referrer end) as referrer,
        max(case when e.event_number_in_session = m.referrer_number then e.page_referring_domain end)
            as referring_domain,
        max(case when e.event_number_in_session = m.campaign_number then e.utm_source end) as utm_source,
        max(case when e.event_number_in_session = m.campaign_number then e.utm_medium end) as utm_medium,
        max(case when e.event_number_in_session = m.campaign_number then e.utm_campaign end) as utm_campaign,
        max(case when e.event_number_in_session = m.campaign_number then e.utm_term end) as utm_term,
        max(case when e.event_number_in_session = m.campaign_number then e.utm_content end) as utm_content,
        max(case when e.event_number_in_session = 1 then e.device_type end) as device_type,
        max(case when e.event_number_in_session = 1 then e.os_name end) as os_name,
        max(case when e.event_number_in_session = 1 then e.library_name end) as library_name,
        max(case when e.event_number_in_session = 1 then e.library_version end) as library_version,
        count(*) filter (where e.is_sdk_session_start) as event_flags,
        bool_or(e.event_number_in_session = 1 and e.is_sdk_session_start) as is_first_event_flagged,
        max(e.last_arrival_at) as last_arrival_at
    from hw_events as e
    inner join marks as m on e.session_id = m.session_id
    group by e.session_id
),

touches as (
    select
        *,
        coalesce(lower(utm_medium), '(none)') as touch_medium,
        coalesce(lower(utm_source), '(none)') as touch_source,
        coalesce(lower(referring_domain), '(none)') as touch_domain
    from sessions
),

groups as (
    select distinct on (touch_medium, touch_source, touch_domain)
        touch_medium, touch_source, touch_domain, rules.channel_group
    from (select distinct touch_medium, touch_source, touch_domain from touches) as distinct_touches
    inner join {channel_groups} as rules
        on
            touch_medium like coalesce(lower(rules.utm_medium_like), '%')
            and touch_source like coalesce(lower(rules.utm_source_like), '%')
            and touch_domain like coalesce(lower(rules.referring_domain_like), '%')
    order by touch_medium, touch_source, touch_domain, rules.rule_order
)

select
    t.session_id, t.actor_id, t.anonymous_id, t.session_user_id, t.session_source, t.sdk_session_id, t.cohort,
    t.channel, t.session_started_at, t.session_ended_at,
    cast(cast(cast(extract(epoch from t.session_ended_at) * 1000000 as bigint)
        - cast(extract(epoch from t.session_started_at) * 1000000 as bigint) as numeric) / 1000000 as numeric(28, 6))
        as duration_seconds,
    t.event_count, t.track_count, t.page_count, t.screen_count, t.landing_page_path, t.exit_page_path, t.referrer,
    t.referring_domain, t.utm_source, t.utm_medium, t.utm_campaign, t.utm_term, t.utm_content,
    coalesce(g.channel_group, 'Other') as channel_group,
    t.device_type, t.os_name, t.library_name, t.library_version,
    t.page_count + t.screen_count = 1 and t.event_count = 1 as is_bounce,
    t.session_ended_at - t.session_started_at >= interval '10 seconds' or t.page_count + t.screen_count >= 2
        as is_engaged,
    case when t.session_source = 'sdk' then t.event_flags + coalesce(f.flags, 0) end as session_start_flag_count,
    case when t.session_source = 'sdk' then t.event_flags + coalesce(f.flags, 0) > 0 end as has_session_start_flag,
    case when t.session_source = 'sdk' then coalesce(t.is_first_event_flagged, false) end
        as is_first_event_session_start,
    t.last_arrival_at,
    cast(t.session_started_at as date) as session_date
from touches as t
left join groups as g
    on t.touch_medium = g.touch_medium and t.touch_source = g.touch_source and t.touch_domain = g.touch_domain
left join identify_flags as f
    on t.session_source = 'sdk' and t.actor_id = f.actor_id and t.sdk_session_id = f.sdk_session_id
