{{ config(**rudderstack_state_config('delete+insert', partition_column='session_date', unique_key='session_id')) }}
{{ config(pre_hook="{{ rudderstack_delete_replaced_rows(rudderstack_sessions_replaced()) }}") }}
{#- a run replaces the sessions it rebuilt, re-stitched or renumbered (delete+insert on session_id) -#}

{#-
    The stored sessions (fct_sessions shows the current ones to analysts), in one pass
    over what the run changed (docs/sessionization.md, "Sessions"):
    - every session of the events state_events rewrote in this run is aggregated again
      from its events (all of them: a run rewrites whole sessions); a session that lost
      all its events (its id changed, or its events moved away) stays as a row with
      is_current false until the next run, so its user is renumbered too;
    - identity stitching (state_identity_runs) is redone for those sessions and for every
      stored session of an anonymous id whose links changed in this run;
    - user_session_number is redone for the users (else actors) whose sessions changed,
      and a stored session is written again only when its number moved.
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

stored as (

    {{ rudderstack_stored_rows(window, 'empty_stored') }}

),

{#- Sessions that lost every event in this run: the ids its events had, that no event has now. #}

vanished as (

    select *
    from stored
    where
        is_current
        and (
            exists (
                select 1 from events
                where events.known_session_id = stored.session_id
            )
            {#- written by a run with this number that did not finish: its events moved again #}
            or written_in_run = {{ window.run_number }}
        )
        and not exists (
            select 1 from rebuilt
            where rebuilt.session_id = stored.session_id
        )

),

{#- Anonymous ids whose observations of a user changed: their sessions are stitched again. #}

changed_anonymous_ids as (

    select anonymous_id from events
    where identity_changed and anonymous_id is not null
    union
    select known_anonymous_id from events
    where identity_changed and known_anonymous_id is not null
    union
    select anonymous_id from {{ ref('state_identifies') }}
    where written_in_run = {{ window.run_number }} and anonymous_id is not null

),

to_stitch as (

    select {{ rudderstack_session_columns('rebuilt') }} from rebuilt
    union all
    {#- Stored sessions that stay, stitched again (joined first: they are few). #}
    select {{ rudderstack_session_columns('stored') }}
    from stored
    inner join changed_anonymous_ids on stored.anonymous_id = changed_anonymous_ids.anonymous_id
    where
        stored.is_current
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

{#- The users (else actors) whose numbering may move: of every changed session, before and after. #}

renumbered_partitions as (

    select
        stitched_user_id,
        case when stitched_user_id is null then actor_id end as actor_key
    from stitched
    union
    select
        stitched_user_id,
        case when stitched_user_id is null then actor_id end as actor_key
    from stored
    where
        exists (
            select 1 from stitched
            where stitched.session_id = stored.session_id
        )
        or exists (
            select 1 from vanished
            where vanished.session_id = stored.session_id
        )

),

numbered_candidates as (

    select
        stitched.*,
        cast(null as {{ dbt.type_bigint() }}) as stored_user_session_number
    from stitched
    union all
    {#- Stored sessions that stay, renumbered (joined first: they are few). #}
    select {{ rudderstack_session_columns('stored') }}, stored.stitched_user_id, stored.user_session_number
    from stored
    inner join renumbered_partitions
        on
            coalesce(stored.stitched_user_id, '') = coalesce(renumbered_partitions.stitched_user_id, '')
            and coalesce(case when stored.stitched_user_id is null then stored.actor_id end, '')
            = coalesce(renumbered_partitions.actor_key, '')
    where
        stored.is_current
        and not exists (
            select 1 from stitched
            where stitched.session_id = stored.session_id
        )
        and not exists (
            select 1 from vanished
            where vanished.session_id = stored.session_id
        )

),

numbered as (

    select
        *,
        cast(row_number() over (
            partition by {{ number_partition }}
            order by session_started_at, {{ binary_collation('session_id') }}
        ) as {{ dbt.type_bigint() }}) as user_session_number
    from numbered_candidates

),

final as (

    select
        {{ rudderstack_session_columns('numbered') }},
        numbered.stitched_user_id,
        numbered.user_session_number,
        true as is_current,
        cast({{ window.run_number }} as {{ dbt.type_bigint() }}) as written_in_run,
        cast(numbered.session_started_at as date) as session_date
    from numbered
    {#- A stored session only renumbered is written again only when its number moved. #}
    where
        numbered.stored_user_session_number is null
        or numbered.stored_user_session_number != numbered.user_session_number
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
