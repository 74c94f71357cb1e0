{{ config(
    materialized='incremental',
    incremental_strategy='insert_overwrite' if rudderstack_is_spark() else 'append',
    pre_hook=[
        "{{ rudderstack_sessions.rudderstack_replace_all_rows() }}",
        "{{ rudderstack_sessions.rudderstack_revoke_kept_grants() }}",
    ],
) }}  {#- rebuilt whole at every run, in place: fct_sessions, a view, reads it (docs/decisions/0012-conversions.md) -#}

{#-
    One row per conversion (README, "Conversions and their value"): every track of
    fct_events named as a conversion of var rudderstack_conversions, with the value and
    currency of its row in the event's own table, its session and stitched user, and its
    session's attribution (the session's current row of state_sessions: what fct_sessions
    shows, read from the state because fct_sessions counts these rows).
    Of several deliveries of the event to its table, the one received last wins; ties go to
    the one loaded last, then to the highest value, then to the currency first in byte
    order (NULL first), then to the source first by name.
-#}
{%- set conversions = rudderstack_conversions() %}

with events as (

    select * from {{ ref('fct_events') }}

),

sessions as (

    select * from {{ ref('state_sessions') }}
    where is_current

),

deliveries as (

    select * from {{ ref('stg_rudderstack__conversions') }}

),

ranked_deliveries as (

    select
        conversion_name,
        event_id,
        value,
        currency,
        row_number() over (
            partition by conversion_name, event_id
            order by
                received_at desc nulls last,
                loaded_at desc nulls last,
                value desc nulls last,
                {{ binary_collation('currency') }} nulls first,
                {{ binary_collation('source_name') }} nulls first
        ) as delivery_rank
    from deliveries
    where event_id is not null

),

conversion_events as (

    select
        event_id,
        event_name as conversion_name,
        event_at,
        session_id,
        actor_id,
        user_id,
        event_date
    from events
    where
        event_type = 'track'
        and event_name in (
            {%- for conversion in conversions %}
            {{ sql_string(conversion.event) }}{{ ',' if not loop.last }}
            {%- else %}
            {#- none listed: no event matches #}
            cast(null as {{ dbt.type_string() }})
            {%- endfor %}
        )

),

final as (

    select
        conversion_events.event_id,
        conversion_events.conversion_name,
        conversion_events.event_at,
        conversion_events.session_id,
        conversion_events.actor_id,
        conversion_events.user_id,
        sessions.stitched_user_id,
        {#- PostgreSQL's CASE (rudderstack_number_value) drops the type's scale: restored, as the contract states it. #}
        cast(ranked_deliveries.value as {{ dbt.type_numeric() }}) as value,  -- noqa: RF04
        ranked_deliveries.currency,
        sessions.channel_group,
        sessions.landing_page_path,
        sessions.referrer,
        sessions.referring_domain,
        sessions.utm_source,
        sessions.utm_medium,
        sessions.utm_campaign,
        sessions.utm_term,
        sessions.utm_content,
        last_non_direct.last_non_direct_channel_group,
        last_non_direct.last_non_direct_utm_source,
        last_non_direct.last_non_direct_utm_medium,
        last_non_direct.last_non_direct_utm_campaign,
        last_non_direct.last_non_direct_referring_domain,
        conversion_events.event_date
    from conversion_events
    left join sessions
        on conversion_events.session_id = sessions.session_id
    left join {{ ref('int_sessions_last_non_direct') }} as last_non_direct
        on conversion_events.session_id = last_non_direct.session_id
    left join ranked_deliveries
        on
            conversion_events.event_id = ranked_deliveries.event_id
            and conversion_events.conversion_name = ranked_deliveries.conversion_name
            and ranked_deliveries.delivery_rank = 1

)

select * from final
