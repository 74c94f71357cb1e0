{{ config(**rudderstack_state_config(
    'delete+insert', partition_column='session_date', unique_key='session_id',
    lookups=['written_in_run'],
)) }}
{{ config(pre_hook=[
    "{{ rudderstack_delete_replaced_rows(rudderstack_sessions_replaced()) }}",
    "{{ planner_hints(keep_join_sides=true, hash_joins=true) }}",
], post_hook="{{ rudderstack_drop_stages() }}") }}
{#-
    a run replaces the sessions it rebuilt, re-stitched or renumbered (delete+insert on
    session_id); the few keys each `in (...)` names are its hash table, not the stored
    sessions (planner_hints: DuckDB built on the 1.5M stored rows, 1.0 s of 1.7 s at 10M events)
-#}

{#-
    The stored sessions (fct_sessions shows the current ones to analysts), in one pass
    over what the run changed (docs/sessionization.md, "Sessions"):
    - every session of the events state_events rewrote in this run, aggregated again from
      its events (state_sessions_rebuilt), replaces its stored row; a session that lost
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
{%- set ctes = rudderstack_ctes(window) %}  {#- on Spark, stages written once (rudderstack_stage) #}
{%- set number_partition = 'stitched_user_id, case when stitched_user_id is null then actor_id end' %}

with events as {{ rudderstack_cte_hint(window.is_incremental) }} (
    {%- call rudderstack_stage(ctes, 'events', stage=false) %}

    {# The events this run rewrote: the sessions they were in before may have vanished. #}
    select known_session_id from {{ ref('state_events') }}
    where written_in_run = {{ window.run_number }}

    {%- endcall %}
),

rebuilt as (
    {%- call rudderstack_stage(ctes, 'rebuilt', stage=false) %}

    {# Every session of those events, aggregated again from all its events. #}
    select * from {{ ref('state_sessions_rebuilt') }}

    {%- endcall %}
),

{#- What this table holds of earlier runs (nothing on a full build). #}

empty_stored as {{ rudderstack_cte_hint(false) }} (
    {%- call rudderstack_stage(ctes, 'empty_stored', stage=false) %}

    select
        *,
        cast(null as {{ dbt.type_string() }}) as stitched_user_id,
        cast(null as {{ dbt.type_bigint() }}) as user_session_number,
        cast(null as {{ dbt.type_boolean() }}) as is_current,
        cast(null as {{ dbt.type_bigint() }}) as written_in_run,
        cast(null as date) as session_date
    from rebuilt

    {%- endcall %}
),

stored as {{ rudderstack_cte_hint(false) }} (
    {%- call rudderstack_stage(ctes, 'stored', stage=false) %}

    {# Read where it is used, each time narrow or filtered by key first, never held whole. #}
    {{ rudderstack_stored_rows(window, 'empty_stored') }}

    {%- endcall %}
),

{#- Sessions that lost every event in this run: the ids its events had, that no event has now. #}

vanished as (
    {%- call rudderstack_stage(ctes, 'vanished') %}

    select *
    from stored
    where
        is_current
        and session_id in (
            select events.known_session_id from events
            where events.known_session_id is not null
            union all
            {# written by a run with this number that did not finish: its events moved again #}
            select unfinished.session_id from stored as unfinished
            where unfinished.written_in_run = {{ window.run_number }}
        )
        and not exists (
            select 1 from rebuilt
            where rebuilt.session_id = stored.session_id
        )

    {%- endcall %}
),

{#- Anonymous ids whose observations of a user changed: their sessions are stitched again. #}

changed_anonymous_ids as (
    {%- call rudderstack_stage(ctes, 'changed_anonymous_ids') %}

    {{ rudderstack_identity_changed_anonymous_ids(window.run_number) }}

    {%- endcall %}
),

to_stitch as (
    {%- call rudderstack_stage(ctes, 'to_stitch') %}

    select
        {{ rudderstack_session_columns('rebuilt') }},
        true as is_rebuilt,
        cast(null as {{ dbt.type_string() }}) as stored_stitched_user_id
    from rebuilt
    union all
    {# Stored sessions that stay, stitched again (found by key first: they are few). #}
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

    {%- endcall %}
),

identity_runs as (
    {%- call rudderstack_stage(ctes, 'identity_runs') %}

    select *
    from {{ ref('state_identity_runs') }}
    where anonymous_id in (
        select to_stitch.anonymous_id from to_stitch
        where to_stitch.anonymous_id is not null
    )

    {%- endcall %}
),

linked_users as (
    {%- call rudderstack_stage(ctes, 'linked_users') %}

    {#
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

    {%- endcall %}
),

stitched as (
    {%- call rudderstack_stage(ctes, 'stitched') %}

    select
        to_stitch.*,
        coalesce(to_stitch.session_user_id, linked_users.linked_user_id) as stitched_user_id
    from to_stitch
    left join linked_users on to_stitch.session_id = linked_users.session_id

    {%- endcall %}
),

{#-
    The sessions whose rows change: those rebuilt, and those stitched again whose user
    moved (most are stitched again to the user they had: a new event of a signed-in
    visitor changes its links, rarely its runs).
#}

changed as (
    {%- call rudderstack_stage(ctes, 'changed') %}

    select * from stitched
    where is_rebuilt or stitched_user_id is distinct from stored_stitched_user_id

    {%- endcall %}
),

{#-
    The users (else actors) whose numbering may move: those of every changed session,
    before (its stored row; a vanished session is one) and after.
#}

previous_owners as (
    {%- call rudderstack_stage(ctes, 'previous_owners') %}

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

    {%- endcall %}
),

renumbered_users as (
    {%- call rudderstack_stage(ctes, 'renumbered_users') %}

    select stitched_user_id from changed
    where stitched_user_id is not null
    union
    select stitched_user_id from previous_owners
    where stitched_user_id is not null

    {%- endcall %}
),

renumbered_actors as (
    {%- call rudderstack_stage(ctes, 'renumbered_actors') %}

    select actor_id from changed
    where stitched_user_id is null
    union
    select actor_id from previous_owners
    where stitched_user_id is null

    {%- endcall %}
),

{#-
    Their stored sessions that stay, renumbered: numbered narrow (a sort of keys, not of
    wide rows), and read whole only when their number moved (by locator: few).
#}

stored_keys as {{ rudderstack_cte_hint(false) }} (
    {%- call rudderstack_stage(ctes, 'stored_keys', stage=false) %}

    {{ rudderstack_stored_keys(window, 'empty_stored', 'session_id', [
        'session_id', 'stitched_user_id', 'actor_id', 'session_started_at', 'user_session_number', 'is_current',
    ]) }}

    {%- endcall %}
),

renumbered_stored as (
    {%- call rudderstack_stage(ctes, 'renumbered_stored') %}

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

    {%- endcall %}
),

numbered as (
    {%- call rudderstack_stage(ctes, 'numbered') %}

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

    {%- endcall %}
),

{#- A stored session only renumbered is written again only when its number moved. #}

moved as (
    {%- call rudderstack_stage(ctes, 'moved') %}

    select * from numbered
    where stored_user_session_number != user_session_number

    {%- endcall %}
),

moved_stored as (
    {%- call rudderstack_stage(ctes, 'moved_stored') %}

    {{ rudderstack_stored_by_locator(window, 'empty_stored', 'session_id', 'moved') }}

    {%- endcall %}
),

final as (
    {%- call rudderstack_stage(ctes, 'final') %}

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

    {%- endcall %}
)

{#- Parquet on Spark: the stored rows of the partitions this run rewrites, other than its own sessions. #}

{{ rudderstack_select_with_unreplaced_rows('final', rudderstack_sessions_replaced('final'), 'session_date', window) }}
