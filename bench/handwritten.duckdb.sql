-- The hand-written yardstick (DuckDB): the project's public outputs, written as fast as
-- we can write them by hand for this engine, from the same raw tables. hw_events holds
-- every column of fct_events; hw_sessions every column of fct_sessions but the two that
-- identity stitching decides (stitched_user_id, user_session_number). The bench checks
-- both against the project's tables, row for row.
-- It knows what the project must find out: the generated schema (tools/rudderstack_tables.py),
-- the default vars, no incremental state, no rejected-row table, no checks.
-- {schema}: the raw schema; {channel_groups}: the channel_groups seed table.
-- Statements are separated by a line holding only ';'.
set timezone = 'UTC'
;
create or replace table hw_events as
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
        * exclude (id, anonymous_id, user_id, "timestamp", received_at, uuid_ts, context_session_id,
                   context_session_start),
        nullif(trim(id), '') as event_id,
        nullif(trim(anonymous_id), '') as anonymous_id,
        nullif(trim(user_id), '') as user_id,
        coalesce(nullif(trim(anonymous_id), ''), nullif(trim(user_id), '')) as actor_id,
        timezone('UTC', "timestamp") as event_at,
        timezone('UTC', received_at) as received_at,
        timezone('UTC', uuid_ts) as loaded_at,
        coalesce(timezone('UTC', uuid_ts), timezone('UTC', received_at), timestamp '1970-01-01') as arrival_at,
        cast(context_session_id as varchar) as sdk_session_id,
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
    anti join delivery_counts using (event_id)
    union all
    select * exclude (delivered, rank_in_id) from (
        select
            valid.*,
            delivery_counts.delivered - 1 as duplicate_row_count,
            delivery_counts.last_arrival_at,
            delivery_counts.delivered,
            row_number() over (
                partition by valid.event_id
                order by
                    valid.received_at desc nulls last, valid.loaded_at desc nulls last, valid.event_at desc,
                    valid.event_type, valid.event_id nulls first, valid.anonymous_id nulls first,
                    valid.user_id nulls first, valid.event_name nulls first, valid.channel nulls first,
                    valid.sdk_session_id nulls first, valid.is_sdk_session_start nulls first,
                    valid.page_path nulls first, valid.page_url nulls first, valid.page_title nulls first,
                    valid.page_referrer nulls first, valid.page_referring_domain nulls first,
                    valid.utm_source nulls first, valid.utm_medium nulls first, valid.utm_campaign nulls first,
                    valid.utm_term nulls first, valid.utm_content nulls first, valid.library_name nulls first,
                    valid.library_version nulls first, valid.os_name nulls first, valid.device_type nulls first,
                    valid.locale nulls first
            ) as rank_in_id
        from valid
        inner join delivery_counts using (event_id)
    )
    where rank_in_id = 1
),

cohorts as (
    select
        *,
        case when channel in ('web', 'mobile', 'server') then channel else 'default' end as cohort
    from kept
),

gaps as (
    select
        *,
        row_number() over actor_order as partition_event_number,
        case
            when sdk_session_id is not null then row_number() over actor_order = 1
            else coalesce(
                epoch_us(event_at) - epoch_us(lag(event_at) over actor_order)
                > case cohort when 'mobile' then 300000000 else 1800000000 end,
                true
            )
        end as is_new_session
    from cohorts
    window actor_order as (partition by actor_id, sdk_session_id order by event_at, event_id)
),

sessionized as (
    select
        *,
        max(case when is_new_session then event_at end) over running as session_started_at,
        partition_event_number + 1 - max(case when is_new_session then partition_event_number end) over running
            as event_number_in_session
    from gaps
    window running as (
        partition by actor_id, sdk_session_id order by event_at, event_id
        rows between unbounded preceding and current row
    )
)

select
    case
        when sdk_session_id is null then md5('derived|' || actor_id || '|' || epoch_us(session_started_at))
        else md5('sdk|' || actor_id || '|' || sdk_session_id)
    end as session_id,
    event_id, actor_id, anonymous_id, user_id, event_at, event_type, event_name, channel, cohort,
    case when sdk_session_id is null then 'derived' else 'sdk' end as session_source,
    sdk_session_id, is_sdk_session_start, event_number_in_session, page_path, page_url, page_title,
    page_referrer, page_referring_domain, utm_source, utm_medium, utm_campaign, utm_term, utm_content,
    library_name, library_version, os_name, device_type, locale, received_at, loaded_at, last_arrival_at,
    duplicate_row_count, cast(event_at as date) as event_date
from sessionized
;
create or replace table hw_sessions as
with identify_flags as (
    select
        coalesce(nullif(trim(anonymous_id), ''), nullif(trim(user_id), '')) as actor_id,
        cast(context_session_id as varchar) as sdk_session_id,
        count(distinct nullif(trim(id), '')) as flags
    from {schema}.identifies
    where context_session_start and context_session_id is not null
    group by all
),

sessions as (
    select
        session_id,
        any_value(actor_id) as actor_id,
        max(anonymous_id) as anonymous_id,
        arg_min(user_id, event_number_in_session) as session_user_id,
        any_value(session_source) as session_source,
        any_value(sdk_session_id) as sdk_session_id,
        arg_min(cohort, event_number_in_session) as cohort,
        arg_min_null(channel, event_number_in_session) as channel,
        min(event_at) as session_started_at,
        max(event_at) as session_ended_at,
        count(*) as event_count,
        count(*) filter (where event_type = 'track') as track_count,
        count(*) filter (where event_type = 'page') as page_count,
        count(*) filter (where event_type = 'screen') as screen_count,
        arg_min_null(page_path, event_number_in_session) filter (where event_type = 'page') as landing_page_path,
        arg_max_null(page_path, event_number_in_session) filter (where event_type = 'page') as exit_page_path,
        arg_min(struct_pack(page_referrer, page_referring_domain), event_number_in_session)
            filter (where page_referrer is not null) as referrer_touch,
        arg_min(struct_pack(utm_source, utm_medium, utm_campaign, utm_term, utm_content), event_number_in_session)
            filter (where coalesce(utm_source, utm_medium, utm_campaign, utm_term, utm_content) is not null)
            as campaign_touch,
        arg_min_null(struct_pack(device_type, os_name, library_name, library_version), event_number_in_session)
            as first_event,
        count(*) filter (where is_sdk_session_start) as event_flags,
        bool_or(event_number_in_session = 1 and is_sdk_session_start) as is_first_event_flagged,
        max(last_arrival_at) as last_arrival_at
    from hw_events
    group by session_id
),

touches as (
    select
        sessions.* exclude (referrer_touch, campaign_touch, first_event),
        referrer_touch.page_referrer as referrer,
        referrer_touch.page_referring_domain as referring_domain,
        campaign_touch.*,
        first_event.*,
        coalesce(lower(campaign_touch.utm_medium), '(none)') as touch_medium,
        coalesce(lower(campaign_touch.utm_source), '(none)') as touch_source,
        coalesce(lower(referrer_touch.page_referring_domain), '(none)') as touch_domain
    from sessions
),

groups as (
    select touch_medium, touch_source, touch_domain, arg_min(rules.channel_group, rules.rule_order) as channel_group
    from (select distinct touch_medium, touch_source, touch_domain from touches) as distinct_touches
    inner join {channel_groups} as rules
        on
            touch_medium like coalesce(lower(rules.utm_medium_like), '%')
            and touch_source like coalesce(lower(rules.utm_source_like), '%')
            and touch_domain like coalesce(lower(rules.referring_domain_like), '%')
    group by all
)

select
    touches.session_id, touches.actor_id, touches.anonymous_id, touches.session_user_id, touches.session_source,
    touches.sdk_session_id, touches.cohort, touches.channel, touches.session_started_at, touches.session_ended_at,
    cast(cast(epoch_us(touches.session_ended_at) - epoch_us(touches.session_started_at) as decimal(28, 6))
        / 1000000 as decimal(28, 6)) as duration_seconds,
    touches.event_count, touches.track_count, touches.page_count, touches.screen_count,
    touches.landing_page_path, touches.exit_page_path, touches.referrer, touches.referring_domain,
    touches.utm_source, touches.utm_medium, touches.utm_campaign, touches.utm_term, touches.utm_content,
    coalesce(groups.channel_group, 'Other') as channel_group,
    touches.device_type, touches.os_name, touches.library_name, touches.library_version,
    touches.page_count + touches.screen_count = 1 and touches.event_count = 1 as is_bounce,
    epoch_us(touches.session_ended_at) - epoch_us(touches.session_started_at) >= 10000000
        or touches.page_count + touches.screen_count >= 2 as is_engaged,
    case when touches.session_source = 'sdk' then touches.event_flags + coalesce(identify_flags.flags, 0) end
        as session_start_flag_count,
    case when touches.session_source = 'sdk' then touches.event_flags + coalesce(identify_flags.flags, 0) > 0 end
        as has_session_start_flag,
    case when touches.session_source = 'sdk' then coalesce(touches.is_first_event_flagged, false) end
        as is_first_event_session_start,
    touches.last_arrival_at,
    cast(touches.session_started_at as date) as session_date
from touches
left join groups using (touch_medium, touch_source, touch_domain)
left join identify_flags
    on touches.session_source = 'sdk' and touches.actor_id = identify_flags.actor_id
    and touches.sdk_session_id = identify_flags.sdk_session_id
