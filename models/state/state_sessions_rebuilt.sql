{{ config(materialized=rudderstack_chain_materialization()) }}  {#- read once, by state_sessions -#}

{#-
    The sessions of the events state_events wrote in this run (every session on a full
    build), aggregated from all their events (a run rewrites whole sessions): what each
    session is from its own events, in one place (docs/sessionization.md, "Sessions"):
    first touch and landing page, engagement (session_engagement), channel group (seed
    channel_groups), the SDK start flags (identify calls included; of a session cut at var
    max_session_duration_hours, in its first piece). state_sessions
    stitches, numbers and stores them.
-#}
{%- set window = rudderstack_run_window() %}
{%- set engagement = session_engagement() %}

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
        max(events.session_piece) as session_piece,
        {%- for column in [
            'cohort', 'channel', 'source_name', 'device_type', 'os_name', 'library_name', 'library_version'] %}
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

    {#-
        Each session's first touch as the channel_groups rules see it. A session cut at var
        max_session_duration_hours: the identify calls' start flags go to its first piece.
    #}
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
            and aggregated.session_piece = 0
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

final as (

    select
        touches.session_id,
        touches.actor_id,
        touches.anonymous_id,
        touches.session_user_id,
        touches.session_source,
        touches.sdk_session_id,
        touches.cohort,
        touches.channel,
        touches.source_name,
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

)

select * from final
