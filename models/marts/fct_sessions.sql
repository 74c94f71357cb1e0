{#-
    int_sessions (stored incrementally) plus what identity stitching decides: that part
    can change with any later identify call, anywhere in history, so it is recomputed
    on every run, over sessions (never over events).
-#}

with sessions as (

    select * from {{ ref('int_sessions') }}

),

identity_runs as (

    select * from {{ ref('int_identity_runs') }}

),

linked_users as (

    {#-
        Sessions without a user id of their own: the user their anonymous id was in the
        identity run the session started in; a session before the first run takes the
        first run's user (the visits before a sign-up belong to who signed up).
    #}
    select
        sessions.session_id,
        identity_runs.user_id as linked_user_id
    from sessions
    inner join identity_runs
        on sessions.anonymous_id = identity_runs.anonymous_id
    where
        sessions.session_user_id is null
        and (
            (
                identity_runs.run_started_at <= sessions.session_started_at
                and (
                    identity_runs.next_run_started_at is null
                    or identity_runs.next_run_started_at > sessions.session_started_at
                )
            )
            or (identity_runs.run_number = 1 and identity_runs.run_started_at > sessions.session_started_at)
        )

),

stitched as (

    select
        sessions.*,
        coalesce(sessions.session_user_id, linked_users.linked_user_id) as stitched_user_id
    from sessions
    left join linked_users on sessions.session_id = linked_users.session_id

),

final as (

    select
        *,
        cast(row_number() over (
            partition by stitched_user_id, case when stitched_user_id is null then actor_id end
            order by session_started_at, {{ binary_collation('session_id') }}
        ) as {{ dbt.type_bigint() }}) as user_session_number
    from stitched

)

select * from final
