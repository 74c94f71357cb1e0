{{ config(**rudderstack_state_config(
    'delete+insert', partition_column='session_date', unique_key='session_id',
    lookups=['session_id', 'anonymous_id', 'stitched_user_id', 'actor_id', 'written_in_run'],
)) }}
{{ config(pre_hook=[
    "{{ rudderstack_delete_replaced_rows(rudderstack_sessions_replaced()) }}",
    "{{ planner_hints(keep_join_sides=true) }}",
]) }}
{#-
    a run replaces the sessions it rebuilt, re-stitched or renumbered (delete+insert on
    session_id); the few keys each `in (...)` names are its hash table, not the stored
    sessions (planner_hints: DuckDB built on the 1.5M stored rows, 1.0 s of 1.7 s at 10M events)
-#}

{#-
    The stored sessions (fct_sessions shows the current ones to analysts), in one pass
    over what the run changed (docs/sessionization.md, "Sessions"):
    - every session of the events state_events rewrote in this run is aggregated again
      from its events (all of them: a run rewrites whole sessions); a session that lost
      all its events (its id changed, or its events moved away) stays as a row with
      is_current false until the next run, so its user is renumbered too;
    - identity stitching (state_identity_runs) is redone for those sessions and for every
      stored session of an anonymous id whose links changed in this run
      (rudderstack_identity_changed_anonymous_ids);
    - user_session_number is redone for the users (else actors) whose sessions changed,
      and a stored session is written again only when its number moved.
    Stored sessions are found by key (session, anonymous id, user, actor) before their
    other columns are read: a run reads the history narrow, and the few rows it changes whole.
    A full build rewrites every event, so the same SQL builds every session.
-#}
{%- set window = rudderstack_run_window() %}
{%- set engagement = session_engagement() %}
{%- set number_partition = 'stitched_user_id, case when stitched_user_id is null then actor_id end' %}

with events as {{ rudderstack_cte_hint(window.is_incremental) }} (

    {#- Every event of every session this run rebuilt (all events on a full build). #}
    select * from {{ ref('state_events') }}
    where written_in_run = {{ window.run_number }}

),

identify_flags as (

    {#- The SDK flags a session's first call, which can be an identify call. -#}
    select
        actor_id,
        sdk_session_id,
        cast(count(distinct event_id) as {{ dbt.type_bigint() }}) as identify_start_flag_count
    from {{ ref('state_identifies') }}
    where is_sdk_session_start and sdk_session_id is not null
    group by actor_id, sdk_session_id

),

session_marks as (

    {#- Where in each session its attribution comes from (event_number_in_session). #}
    select
        session_id,
        min(case when event_type = 'page' then event_number_in_session end) as landing_page_number,
        max(case when event_type = 'page' then event_number_in_session end) as exit_page_number,
        min(case when page_referrer is not null then event_number_in_session end) as referrer_number,
        min(case when user_id is not null then event_number_in_session end) as user_number,
        min(
            case
                when coalesce(utm_source, utm_medium, utm_campaign, utm_term, utm_content) is not null
                    then event_number_in_session
            end
        ) as campaign_number
    from events
    group by session_id

),

aggregated as (

    select
        events.session_id,
        max(events.actor_id) as actor_id,
        max(events.anonymous_id) as anonymous_id,
        max(case when events.event_number_in_session = marks.user_number then events.user_id end) as session_user_id,
        max(events.session_source) as session_source,
        max(events.sdk_session_id) as sdk_session_id,
        {%- for column in ['cohort', 'channel', 'device_type', 'os_name', 'library_name', 'library_version'] %}
        max(case when events.event_number_in_session = 1 then events.{{ column }} end) as {{ column }},
        {%- endfor %}
        max(case when events.event_number_in_session = marks.landing_page_number then events.page_path end)
            as landing_page_path,
        max(case when events.event_number_in_session = marks.exit_page_number then events.page_path end)
            as exit_page_path,
        max(case when events.event_number_in_session = marks.referrer_number then events.page_referrer end)
            as referrer,
        max(
            case when events.event_number_in_session = marks.referrer_number then events.page_referring_domain end
        ) as referring_domain,
        {%- for column in ['utm_source', 'utm_medium', 'utm_campaign', 'utm_term', 'utm_content'] %}
        max(case when events.event_number_in_session = marks.campaign_number then events.{{ column }} end)
            as {{ column }},
        {%- endfor %}
        min(events.event_at) as session_started_at,
        max(events.event_at) as session_ended_at,
        max(events.last_arrival_at) as last_arrival_at,
        cast(count(*) as {{ dbt.type_bigint() }}) as event_count,
        cast(sum(case when events.event_type = 'track' then 1 else 0 end) as {{ dbt.type_bigint() }}) as track_count,
        cast(sum(case when events.event_type = 'page' then 1 else 0 end) as {{ dbt.type_bigint() }}) as page_count,
        cast(sum(case when events.event_type = 'screen' then 1 else 0 end) as {{ dbt.type_bigint() }}) as screen_count,
        cast(
            sum(case when events.is_sdk_session_start then 1 else 0 end) as {{ dbt.type_bigint() }}
        ) as event_session_start_flag_count,
        {{ dbt.bool_or('events.event_number_in_session = 1 and events.is_sdk_session_start') }}
            as is_first_event_flagged,
        {%- if engagement.events %}
        {%- set names = [] %}{% for name in engagement.events %}{% do names.append(sql_string(name)) %}{% endfor %}
        {{ dbt.bool_or('events.event_name in (' ~ names | join(', ') ~ ')') }}
        {%- else %}
        false
        {%- endif %} as has_engagement_event
    from events
    inner join session_marks as marks on events.session_id = marks.session_id
    group by events.session_id

),

touches as (

    {#- Each session's first touch as the channel_groups rules see it. #}
    select
        aggregated.*,
        case
            when aggregated.session_source = 'sdk'
                then
                    aggregated.event_session_start_flag_count
                    + coalesce(identify_flags.identify_start_flag_count, 0)
        end as session_start_flag_count,
        coalesce(lower(aggregated.utm_medium), '(none)') as touch_medium,
        coalesce(lower(aggregated.utm_source), '(none)') as touch_source,
        coalesce(lower(aggregated.referring_domain), '(none)') as touch_domain
    from aggregated
    left join identify_flags
        on
            aggregated.session_source = 'sdk'
            and aggregated.actor_id = identify_flags.actor_id
            and aggregated.sdk_session_id = identify_flags.sdk_session_id

),

touch_channel_groups as (

    {#- The first matching rule of each distinct first touch (few, however many sessions). #}
    select
        touch_medium,
        touch_source,
        touch_domain,
        channel_group
    from (
        select
            distinct_touches.*,
            rules.channel_group,
            row_number() over (
                partition by distinct_touches.touch_medium, distinct_touches.touch_source, distinct_touches.touch_domain
                order by rules.rule_order
            ) as rule_rank
        from (
            select distinct
                touch_medium,
                touch_source,
                touch_domain
            from touches
        ) as distinct_touches
        inner join {{ ref('channel_groups') }} as rules
            on
                distinct_touches.touch_medium like coalesce(lower(rules.utm_medium_like), '%')
                and distinct_touches.touch_source like coalesce(lower(rules.utm_source_like), '%')
                and distinct_touches.touch_domain like coalesce(lower(rules.referring_domain_like), '%')
    ) as matches
    where rule_rank = 1

),

rebuilt as (

    select
        touches.session_id,
        touches.actor_id,
        touches.anonymous_id,
        touches.session_user_id,
        touches.session_source,
        touches.sdk_session_id,
        touches.cohort,
        touches.channel,
        touches.session_started_at,
        touches.session_ended_at,
        {{ seconds_from_microseconds(
            epoch_microseconds('touches.session_ended_at') ~ ' - ' ~ epoch_microseconds('touches.session_started_at')
        ) }} as duration_seconds,
        touches.event_count,
        touches.track_count,
        touches.page_count,
        touches.screen_count,
        touches.landing_page_path,
        touches.exit_page_path,
        touches.referrer,
        touches.referring_domain,
        touches.utm_source,
        touches.utm_medium,
        touches.utm_campaign,
        touches.utm_term,
        touches.utm_content,
        coalesce(touch_channel_groups.channel_group, 'Other') as channel_group,
        touches.device_type,
        touches.os_name,
        touches.library_name,
        touches.library_version,
        touches.page_count + touches.screen_count = 1 and touches.event_count = 1 as is_bounce,
        (
            {{ epoch_microseconds('touches.session_ended_at') }}
            - {{ epoch_microseconds('touches.session_started_at') }}
            >= {{ (engagement.min_duration_seconds * 1000000) | round | int }}
            or touches.page_count + touches.screen_count >= {{ engagement.min_views }}
            or touches.has_engagement_event
        ) as is_engaged,
        touches.session_start_flag_count,
        touches.session_start_flag_count > 0 as has_session_start_flag,
        case
            when touches.session_source = 'sdk' then coalesce(touches.is_first_event_flagged, false)
        end as is_first_event_session_start,
        touches.last_arrival_at
    from touches
    left join touch_channel_groups
        on
            touches.touch_medium = touch_channel_groups.touch_medium
            and touches.touch_source = touch_channel_groups.touch_source
            and touches.touch_domain = touch_channel_groups.touch_domain

),

{#- What this table holds of earlier runs (nothing on a full build). #}

empty_stored as {{ rudderstack_cte_hint(false) }} (

    select
        *,
        cast(null as {{ dbt.type_string() }}) as stitched_user_id,
        cast(null as {{ dbt.type_bigint() }}) as user_session_number,
        cast(null as {{ dbt.type_boolean() }}) as is_current,
        cast(null as {{ dbt.type_bigint() }}) as written_in_run,
        cast(null as date) as session_date
    from rebuilt

),

stored as {{ rudderstack_cte_hint(false) }} (

    {#- Read where it is used, each time narrow or filtered by key first, never held whole. #}
    {{ rudderstack_stored_rows(window, 'empty_stored') }}

),

{#- Sessions that lost every event in this run: the ids its events had, that no event has now. #}

vanished as (

    select *
    from stored
    where
        is_current
        and session_id in (
            select events.known_session_id from events
            where events.known_session_id is not null
            union all
            {#- written by a run with this number that did not finish: its events moved again #}
            select unfinished.session_id from stored as unfinished
            where unfinished.written_in_run = {{ window.run_number }}
        )
        and not exists (
            select 1 from rebuilt
            where rebuilt.session_id = stored.session_id
        )

),

{#- Anonymous ids whose observations of a user changed: their sessions are stitched again. #}

changed_anonymous_ids as (

    {{ rudderstack_identity_changed_anonymous_ids(window.run_number) }}

),

to_stitch as (

    select
        {{ rudderstack_session_columns('rebuilt') }},
        true as is_rebuilt,
        cast(null as {{ dbt.type_string() }}) as stored_stitched_user_id
    from rebuilt
    union all
    {#- Stored sessions that stay, stitched again (found by key first: they are few). #}
    select
        {{ rudderstack_session_columns('stored') }},
        false as is_rebuilt,
        stored.stitched_user_id as stored_stitched_user_id
    from stored
    where
        stored.is_current
        and stored.anonymous_id in (select changed_anonymous_ids.anonymous_id from changed_anonymous_ids)
        and not exists (
            select 1 from rebuilt
            where rebuilt.session_id = stored.session_id
        )
        and not exists (
            select 1 from vanished
            where vanished.session_id = stored.session_id
        )

),

identity_runs as (

    select *
    from {{ ref('state_identity_runs') }}
    where anonymous_id in (
        select to_stitch.anonymous_id from to_stitch
        where to_stitch.anonymous_id is not null
    )

),

linked_users as (

    {#-
        Sessions without a user id of their own: the user their anonymous id was in the
        identity run the session started in; a session before the first run takes the
        first run's user (the visits before a sign-up belong to who signed up).
    #}
    select
        to_stitch.session_id,
        identity_runs.user_id as linked_user_id
    from to_stitch
    inner join identity_runs
        on to_stitch.anonymous_id = identity_runs.anonymous_id
    where
        to_stitch.session_user_id is null
        and (
            (
                identity_runs.run_started_at <= to_stitch.session_started_at
                and (
                    identity_runs.next_run_started_at is null
                    or identity_runs.next_run_started_at > to_stitch.session_started_at
                )
            )
            or (identity_runs.run_number = 1 and identity_runs.run_started_at > to_stitch.session_started_at)
        )

),

stitched as (

    select
        to_stitch.*,
        coalesce(to_stitch.session_user_id, linked_users.linked_user_id) as stitched_user_id
    from to_stitch
    left join linked_users on to_stitch.session_id = linked_users.session_id

),

{#-
    The sessions whose rows change: those rebuilt, and those stitched again whose user
    moved (most are stitched again to the user they had: a new event of a signed-in
    visitor changes its links, rarely its runs).
#}

changed as (

    select * from stitched
    where is_rebuilt or stitched_user_id is distinct from stored_stitched_user_id

),

{#-
    The users (else actors) whose numbering may move: those of every changed session,
    before (its stored row; a vanished session is one) and after.
#}

previous_owners as (

    select
        stitched_user_id,
        actor_id
    from stored
    where stored.session_id in (select changed.session_id from changed)
    union all
    select
        stitched_user_id,
        actor_id
    from vanished

),

renumbered_users as (

    select stitched_user_id from changed
    where stitched_user_id is not null
    union
    select stitched_user_id from previous_owners
    where stitched_user_id is not null

),

renumbered_actors as (

    select actor_id from changed
    where stitched_user_id is null
    union
    select actor_id from previous_owners
    where stitched_user_id is null

),

{#-
    Their stored sessions that stay, renumbered: numbered narrow (a sort of keys, not of
    wide rows), and read whole only when their number moved (by locator: few).
#}

stored_keys as {{ rudderstack_cte_hint(false) }} (

    {{ rudderstack_stored_keys(window, 'empty_stored', 'session_id', [
        'session_id', 'stitched_user_id', 'actor_id', 'session_started_at', 'user_session_number', 'is_current',
    ]) }}

),

renumbered_stored as (

    select * from stored_keys
    where
        is_current
        and stitched_user_id in (select renumbered_users.stitched_user_id from renumbered_users)
    union all
    select * from stored_keys
    where
        is_current
        and stitched_user_id is null
        and actor_id in (select renumbered_actors.actor_id from renumbered_actors)

),

numbered as (

    select
        *,
        cast(row_number() over (
            partition by {{ number_partition }}
            order by session_started_at, {{ binary_collation('session_id') }}
        ) as {{ dbt.type_bigint() }}) as user_session_number
    from (
        select
            session_id,
            stitched_user_id,
            actor_id,
            session_started_at,
            null as row_locator,
            cast(null as {{ dbt.type_bigint() }}) as stored_user_session_number
        from changed
        union all
        select
            session_id,
            stitched_user_id,
            actor_id,
            session_started_at,
            row_locator,
            user_session_number as stored_user_session_number
        from renumbered_stored
        where
            not exists (
                select 1 from changed
                where changed.session_id = renumbered_stored.session_id
            )
            and not exists (
                select 1 from vanished
                where vanished.session_id = renumbered_stored.session_id
            )
    ) as candidates

),

{#- A stored session only renumbered is written again only when its number moved. #}

moved as (

    select * from numbered
    where stored_user_session_number != user_session_number

),

moved_stored as (

    {{ rudderstack_stored_by_locator(window, 'empty_stored', 'session_id', 'moved') }}

),

final as (

    select
        {{ rudderstack_session_columns('changed') }},
        changed.stitched_user_id,
        numbered.user_session_number,
        true as is_current,
        cast({{ window.run_number }} as {{ dbt.type_bigint() }}) as written_in_run,
        cast(changed.session_started_at as date) as session_date
    from changed
    inner join numbered on changed.session_id = numbered.session_id
    union all
    select
        {{ rudderstack_session_columns('moved_stored') }},
        moved_stored.stitched_user_id,
        moved.user_session_number,
        true as is_current,
        cast({{ window.run_number }} as {{ dbt.type_bigint() }}) as written_in_run,
        moved_stored.session_date
    from moved_stored
    inner join moved on moved_stored.session_id = moved.session_id
    union all
    select
        {{ rudderstack_session_columns('vanished') }},
        vanished.stitched_user_id,
        vanished.user_session_number,
        false as is_current,
        cast({{ window.run_number }} as {{ dbt.type_bigint() }}) as written_in_run,
        vanished.session_date
    from vanished

)

{#- Parquet on Spark: the stored rows of the partitions this run rewrites, other than its own sessions. #}

{{ rudderstack_select_with_unreplaced_rows('final', rudderstack_sessions_replaced('final'), 'session_date', window) }}
