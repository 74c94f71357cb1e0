with links as (

    select * from {{ ref('state_identity_links') }}

),

pairs as (

    select
        anonymous_id,
        user_id,
        min(linked_at) as first_linked_at,
        max(linked_at) as last_linked_at,
        cast(
            count(distinct case when link_source = 'identify' then link_event_id end) as {{ dbt.type_bigint() }}
        ) as identify_count,
        cast(
            count(distinct case when link_source = 'event' then link_event_id end) as {{ dbt.type_bigint() }}
        ) as event_count
    from links
    group by anonymous_id, user_id

),

final as (

    select
        anonymous_id,
        user_id,
        first_linked_at,
        last_linked_at,
        identify_count,
        event_count,
        cast(count(*) over (partition by anonymous_id) as {{ dbt.type_bigint() }}) as anonymous_id_user_count
    from pairs

)

select * from final
