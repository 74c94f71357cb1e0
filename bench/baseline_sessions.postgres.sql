-- The hand-written baseline: the project's sessionization as one SQL statement (PostgreSQL).
-- Same rules as the dbt models (reject, dedup on id keeping the latest received_at,
-- SDK sessions on (actor, session id), gap sessions for the rest with the default cohort
-- timeouts, md5 session ids), none of the project's generality: no run-time schema
-- detection, no incremental state, no data-quality columns, no passthrough.
-- {schema}: the raw schema. {actor_filter}: extra predicate on actor_id ('true' for all).
with raw_events as (
    select 'track' as event_type, id, anonymous_id, user_id, "timestamp", received_at, uuid_ts, channel,
           context_session_id from {schema}.tracks
    union all
    select 'page', id, anonymous_id, user_id, "timestamp", received_at, uuid_ts, channel,
           context_session_id from {schema}.pages
    union all
    select 'screen', id, anonymous_id, user_id, "timestamp", received_at, uuid_ts, channel,
           context_session_id from {schema}.screens
),
valid as (
    select
        id as event_id,
        coalesce(anonymous_id, user_id) as actor_id,
        "timestamp" at time zone 'UTC' as event_at,
        received_at,
        uuid_ts,
        channel,
        cast(context_session_id as text) as sdk_session_id
    from raw_events
    where id is not null and "timestamp" is not null and coalesce(anonymous_id, user_id) is not null
      and {actor_filter}
),
deduplicated as (
    select distinct on (event_id) *
    from valid
    order by event_id, received_at desc nulls last, uuid_ts desc nulls last, event_at desc
),
gaps as (
    select
        *,
        coalesce(
            extract(epoch from event_at - lag(event_at) over (
                partition by actor_id order by event_at, event_id collate "C")) * 1000000
            > case channel when 'mobile' then 300000000 else 1800000000 end,
            true
        ) as is_new_session
    from deduplicated
    where sdk_session_id is null
),
derived as (
    select
        *,
        max(case when is_new_session then event_at end) over (
            partition by actor_id order by event_at, event_id collate "C"
            rows between unbounded preceding and current row
        ) as started_at
    from gaps
),
sessionized as (
    select md5('sdk|' || actor_id || '|' || sdk_session_id) as session_id, actor_id, 'sdk' as session_source,
           sdk_session_id, event_at
    from deduplicated where sdk_session_id is not null
    union all
    select md5('derived|' || actor_id || '|' || cast(extract(epoch from started_at) * 1000000 as bigint)),
           actor_id, 'derived', null, event_at
    from derived
)
select
    session_id,
    min(actor_id) as actor_id,
    min(session_source) as session_source,
    min(sdk_session_id) as sdk_session_id,
    min(event_at) as session_started_at,
    max(event_at) as session_ended_at,
    count(*) as event_count
from sessionized
group by session_id
