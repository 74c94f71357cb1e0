-- The hand-written baseline: the project's sessionization as one SQL statement (Spark SQL).
-- Same rules as the dbt models (reject, dedup on id keeping the latest received_at,
-- SDK sessions on (actor, session id), gap sessions for the rest with the default cohort
-- timeouts, md5 session ids), none of the project's generality: no run-time schema
-- detection, no incremental state, no data-quality columns, no passthrough.
-- Spark's `timestamp` is an instant: with the session time zone UTC it is its UTC time,
-- so event_at is the column itself. Spark compares strings byte by byte, as the models do.
-- {schema}: the raw schema. {actor_filter}: extra predicate on actor_id ('true' for all).
with raw_events as (
    select 'track' as event_type, id, anonymous_id, user_id, `timestamp`, received_at, uuid_ts, channel,
           context_session_id from {schema}.tracks
    union all
    select 'page', id, anonymous_id, user_id, `timestamp`, received_at, uuid_ts, channel,
           context_session_id from {schema}.pages
    union all
    select 'screen', id, anonymous_id, user_id, `timestamp`, received_at, uuid_ts, channel,
           context_session_id from {schema}.screens
),
valid as (
    select
        id as event_id,
        coalesce(anonymous_id, user_id) as actor_id,
        `timestamp` as event_at,
        received_at,
        uuid_ts,
        channel,
        cast(context_session_id as string) as sdk_session_id
    from raw_events
    where id is not null and `timestamp` is not null and coalesce(anonymous_id, user_id) is not null
      and {actor_filter}
),
deduplicated as (
    -- No QUALIFY in Spark: the rank in a subquery.
    select event_id, actor_id, event_at, received_at, uuid_ts, channel, sdk_session_id
    from (
        select
            *,
            row_number() over (
                partition by event_id order by received_at desc nulls last, uuid_ts desc nulls last, event_at desc
            ) as delivery_rank
        from valid
    ) ranked
    where delivery_rank = 1
),
gaps as (
    select
        *,
        coalesce(
            unix_micros(event_at) - unix_micros(lag(event_at) over (partition by actor_id order by event_at, event_id))
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
            partition by actor_id order by event_at, event_id rows between unbounded preceding and current row
        ) as started_at
    from gaps
),
sessionized as (
    select md5(concat('sdk|', actor_id, '|', sdk_session_id)) as session_id, actor_id, 'sdk' as session_source,
           sdk_session_id, event_at
    from deduplicated where sdk_session_id is not null
    union all
    select md5(concat('derived|', actor_id, '|', cast(unix_micros(started_at) as string))), actor_id, 'derived',
           cast(null as string), event_at
    from derived
)
select
    session_id,
    any_value(actor_id) as actor_id,
    any_value(session_source) as session_source,
    any_value(sdk_session_id) as sdk_session_id,
    min(event_at) as session_started_at,
    max(event_at) as session_ended_at,
    count(*) as event_count
from sessionized
group by session_id
