{{ config(materialized='view') }}  {#- the stored sessions as analysts read them: no copy -#}

{#-
    One row per session, with where it came from, what happened in it and who it was
    (state_sessions stores them, stitching included, and keeps each current), flags
    for sessions no person would make (macros/marts/session_flags.sql), the last
    non-direct touch (int_sessions_last_non_direct), and its conversions
    (fct_conversions, counted here: a small table, grouped at read time).
-#}

with sessions as (

    select * from {{ ref('state_sessions') }}
    where is_current

),

last_non_direct as (

    select * from {{ ref('int_sessions_last_non_direct') }}

),

conversions as (

    {#- Per session: its conversions, and whether those with a value share one currency. #}
    select
        session_id,
        count(*) as conversion_count,
        {#- None of the valued conversions has a currency, or all have the same one. #}
        case
            when count(distinct case when value is not null then currency end) = 0 then true
            when count(distinct case when value is not null then currency end) = 1
                then count(case when value is not null then currency end) = count(value)
            else false
        end as has_one_currency,
        max(case when value is not null then currency end) as valued_currency,
        sum(value) as value_sum
    from {{ ref('fct_conversions') }}
    group by session_id

),

final as (

    select
        {{ rudderstack_session_columns('sessions') }},
        sessions.session_date,
        sessions.stitched_user_id,
        sessions.user_session_number,
        {{ rudderstack_session_flags() }},
        last_non_direct.last_non_direct_session_id,
        last_non_direct.last_non_direct_channel_group,
        last_non_direct.last_non_direct_utm_source,
        last_non_direct.last_non_direct_utm_medium,
        last_non_direct.last_non_direct_utm_campaign,
        last_non_direct.last_non_direct_referring_domain,
        cast(coalesce(conversions.conversion_count, 0) as {{ dbt.type_bigint() }}) as conversion_count,
        coalesce(conversions.conversion_count, 0) > 0 as is_converted,
        {#- Summed only when one currency (or none) is meant: NULL when the valued conversions' currencies differ. #}
        cast(case when conversions.has_one_currency then conversions.value_sum end as {{ dbt.type_numeric() }})
            as conversion_value,
        case when conversions.has_one_currency then conversions.valued_currency end as conversion_currency
    from sessions
    left join last_non_direct on sessions.session_id = last_non_direct.session_id
    left join conversions
        on sessions.session_id = conversions.session_id

)

select * from final
