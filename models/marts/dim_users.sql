with sessions as (

    select * from {{ ref('fct_sessions') }}

),

actor_users as (

    select * from {{ ref('dim_actor_users') }}

),

observations as (

    select
        stitched_user_id as user_id,
        session_started_at as seen_from,
        session_ended_at as seen_to,
        1 as session_count,
        event_count,
        0 as anonymous_id_count
    from sessions
    where stitched_user_id is not null
    union all
    select
        user_id,
        first_linked_at as seen_from,
        last_linked_at as seen_to,
        0 as session_count,
        0 as event_count,
        1 as anonymous_id_count
    from actor_users

),

final as (

    select
        user_id,
        min(seen_from) as first_seen_at,
        max(seen_to) as last_seen_at,
        cast(sum(session_count) as {{ dbt.type_bigint() }}) as session_count,
        cast(sum(event_count) as {{ dbt.type_bigint() }}) as event_count,
        cast(sum(anonymous_id_count) as {{ dbt.type_bigint() }}) as anonymous_id_count
    from observations
    group by user_id

)

select * from final
