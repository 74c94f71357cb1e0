{#-
    What an incremental run must re-sessionize, decided before fct_events and
    int_sessions change (it reads their previous state):
    - 'sdk' rows: the SDK sessions (actor, session id) that an event received again
      belongs to now or belonged to before, or that an identify call received again
      names (it can carry the session's start flag);
    - 'derived' rows: per actor whose session-less events changed, re-sessionize its
      session-less events from the start of its last derived session that began before
      the earliest change (derived_from; NULL: all of them). Sessions before it cannot
      change: whether an event starts a session depends only on it and the event before.
    Empty on a full build, which re-sessionizes everything.

    Rows stay until int_sessions has used them (its post-hook empties this table): a run
    that stops after fct_events and before int_sessions leaves them, and the next run
    rebuilds their sessions too, though fct_events no longer shows where events were.
-#}
{#-
    Where tables cannot be replaced while read (Spark's Parquet tables), this one is an
    incremental model overwriting its scope_type partitions, which hold the unused rows.
#}
{%- if rudderstack_rewrites_partitions() %}
{{ config(**rudderstack_state_config('append', partition_column='scope_type')) }}
{{ config(pre_hook="{{ rudderstack_delete_replaced_rows() }}") }}
{%- endif %}
{%- set cutoff = rudderstack_incremental_cutoff() -%}
-- depends_on: {{ ref('int_events_arrived') }}
-- depends_on: {{ ref('int_events_unioned') }}
-- depends_on: {{ ref('int_events_deduplicated') }}
-- depends_on: {{ ref('stg_rudderstack__identifies') }}

{%- if cutoff is none %}

select
    cast(null as {{ dbt.type_string() }}) as scope_type,
    cast(null as {{ dbt.type_string() }}) as actor_id,
    cast(null as {{ dbt.type_string() }}) as sdk_session_id,
    cast(null as {{ dbt.type_timestamp() }}) as derived_from
where 1 = 0

{%- else %}

with received_ids as (

    select distinct event_id from {{ rudderstack_arrived_rows() }} as arrived
    where rejection_reason is null

),

{#- int_events_deduplicated holds, on an incremental run, exactly the events received again. #}
events_now as (

    select
        actor_id,
        sdk_session_id,
        event_at
    from {{ ref('int_events_deduplicated') }}

),

events_before as (

    select
        events.actor_id,
        events.sdk_session_id,
        events.event_at
    from {{ rudderstack_model_relation('fct_events') }} as events
    inner join received_ids
        on events.event_id = received_ids.event_id

),

positions as (

    select * from events_now
    union all
    select * from events_before

),

identifies_received as (

    select
        actor_id,
        sdk_session_id
    from {{ ref('stg_rudderstack__identifies') }}
    where
        {{ rudderstack_in_arrival_window('arrival_at', cutoff) }}
        and sdk_session_id is not null
        and actor_id is not null

),

sdk_scope as (

    select actor_id, sdk_session_id from positions
    where sdk_session_id is not null
    union
    select actor_id, sdk_session_id from identifies_received

),

earliest_changes as (

    select
        actor_id,
        min(event_at) as changed_from
    from positions
    where sdk_session_id is null
    group by actor_id

),

derived_scope as (

    select
        earliest_changes.actor_id,
        max(sessions.session_started_at) as derived_from
    from earliest_changes
    left join {{ rudderstack_model_relation('int_sessions') }} as sessions
        on
            earliest_changes.actor_id = sessions.actor_id
            and sessions.session_source = 'derived'
            and sessions.session_started_at < earliest_changes.changed_from
    group by earliest_changes.actor_id

),

new_scope as (

    select
        'sdk' as scope_type,
        actor_id,
        sdk_session_id,
        cast(null as {{ dbt.type_timestamp() }}) as derived_from
    from sdk_scope
    union all
    select
        'derived' as scope_type,
        actor_id,
        cast(null as {{ dbt.type_string() }}) as sdk_session_id,
        derived_from
    from derived_scope

),

{%- set unused = rudderstack_model_relation('int_sessionization_scope') %}

scope_rows as (

    select * from new_scope
    {%- if unused is not none %}
    union all
    {#- Left by a run that stopped before int_sessions used them. #}
    select scope_type, actor_id, sdk_session_id, derived_from from {{ unused }}
    {%- endif %}

),

{#- One row per SDK session; per actor, the earliest derived_from (NULL: everything). #}
final as (

    select distinct
        scope_type,
        actor_id,
        sdk_session_id,
        cast(null as {{ dbt.type_timestamp() }}) as derived_from
    from scope_rows
    where scope_type = 'sdk'
    union all
    select
        scope_type,
        actor_id,
        cast(null as {{ dbt.type_string() }}) as sdk_session_id,
        case
            when max(case when derived_from is null then 1 else 0 end) = 1 then null
            else min(derived_from)
        end as derived_from
    from scope_rows
    where scope_type = 'derived'
    group by scope_type, actor_id

)

select * from final

{%- endif %}
