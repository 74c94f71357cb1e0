{{ config(**rudderstack_state_config(
    'delete+insert', partition_column='event_date', unique_key='event_id',
    lookups=['event_id', ['actor_id', 'sdk_session_id'], 'written_in_run'],
)) }}
{{ config(
    pre_hook=[
        "{{ rudderstack_delete_replaced_rows() }}",
        "{{ rudderstack_plan_actor_slices(ref('int_events_deduplicated')) }}",
    ],
    post_hook=["{{ rudderstack_append_actor_slices() }}", "{{ rudderstack_drop_stages() }}"],
) }}
{#-
    A run rewrites every event of the sessions it touches (delete+insert on event_id). A
    full build too large for memory runs in slices of actors (macros/state/actor_slices.sql).
-#}

{#-
    The stored events: one row per deduplicated, valid activity event, with its session
    (fct_events shows them to analysts). Each run re-sessionizes the sessions it
    touches, over the events it received (int_events_deduplicated) and the rows this
    table already holds (docs/sessionization.md, "Which sessions a run rebuilds"):
    - an SDK session (actor, SDK session id) that a received event belongs to now, or
      belonged to before, or that an identify call of the window names (it can carry
      the start flag), is rebuilt whole;
    - for an actor whose session-less events changed, its derived sessions from the
      last one that began before the earliest change: an earlier session cannot change,
      as whether an event starts one depends only on it and the event before it.
    A full build receives every event, and stores none yet: the same SQL rebuilds all.
    The gap rule and the session ids come from sessionize_by_gap and session_id_hash;
    with var max_session_duration_hours, sessions longer than the cap are then cut into
    pieces (macros/sessionization/max_session_duration.sql), a pure function of the uncut
    session, so the scope above is still found from uncut sessions: a derived session
    starts where event_number_in_session = 1 in piece 0 (session_piece).

    Rows it writes carry the run's number (written_in_run) and what the sessions table
    last saw of each event (known_session_id, known_anonymous_id, identity_changed), so
    state_sessions can replace the sessions that lost events, even when a run stopped
    after this model and the next one repeats it; and, for the missed-rows check, how
    many raw rows behind the cutoff the rewrite stopped counting (recounted_row_count).
-#}
{%- set window = rudderstack_run_window() %}
{%- set event_columns = rudderstack_state_event_columns() %}
{%- set identifies_arrived = ref('int_identifies_arrived') %}
{%- set cap = max_session_duration_microseconds() %}  {#- none: no session is cut #}
{#- The event columns final carries as they are (it computes or names the others). #}
{%- set carried_columns = event_columns | reject('in', [
    'event_id', 'actor_id', 'anonymous_id', 'user_id', 'event_at', 'event_type', 'event_name', 'channel',
    'cohort', 'sdk_session_id', 'is_sdk_session_start']) | list %}
{%- set ctes = rudderstack_ctes(window) %}  {#- on Spark, stages written once (rudderstack_stage) #}

with run as (
    {%- call rudderstack_stage(ctes, 'run', stage=false) %}

    select * from {{ ref('int_run_window') }}

    {%- endcall %}
),

received as {{ rudderstack_cte_hint(window.is_incremental) }} (
    {%- call rudderstack_stage(ctes, 'received', stage=false) %}

    select {{ event_columns | join(', ') }}
    from {{ ref('int_events_deduplicated') }}
    where {{ rudderstack_actor_slice_condition('actor_id') }}

    {%- endcall %}
),

{#- What this table holds of earlier runs (nothing on a full build). #}

empty_stored as (
    {%- call rudderstack_stage(ctes, 'empty_stored', stage=false) %}

    select
        {{ event_columns | join(', ') }},
        cast(null as {{ dbt.type_string() }}) as session_id,
        cast(null as {{ dbt.type_string() }}) as session_source,
        cast(null as {{ dbt.type_bigint() }}) as event_number_in_session,
        cast(null as {{ dbt.type_bigint() }}) as session_piece,
        cast(null as {{ dbt.type_bigint() }}) as written_in_run,
        cast(null as {{ dbt.type_string() }}) as known_session_id,
        cast(null as {{ dbt.type_string() }}) as known_anonymous_id,
        cast(null as {{ dbt.type_boolean() }}) as identity_changed,
        cast(null as {{ dbt.type_bigint() }}) as recounted_row_count,
        cast(null as date) as event_date
    from received

    {%- endcall %}
),

{#-
    Which stored events join the received ones in this run's sessions. A full build stores
    nothing yet: none, and no need to work out which.
#}
{%- if window.is_incremental %}

{#-
    The narrow columns that decide which stored events join this run's sessions, read
    first; the wide rows of the few in scope are then fetched by their locator (DuckDB's
    rowid, elsewhere event_id), so no scan reads every column of the whole history.
#}

stored_keys as {{ rudderstack_cte_hint(false) }} (
    {%- call rudderstack_stage(ctes, 'stored_keys', stage=false) %}

    {{ rudderstack_stored_keys(window, 'empty_stored', 'event_id', [
        'event_id', 'actor_id', 'sdk_session_id', 'event_at', 'event_number_in_session', 'session_piece',
    ]) }}

    {%- endcall %}
),

{#- The received events as they were stored, when they were. #}

stored_received as (
    {%- call rudderstack_stage(ctes, 'stored_received', stage=false) %}

    select
        actor_id,
        sdk_session_id,
        event_at
    from stored_keys
    where event_id in (select received.event_id from received)

    {%- endcall %}
),

positions as (
    {%- call rudderstack_stage(ctes, 'positions', stage=false) %}

    select
        actor_id,
        sdk_session_id,
        event_at
    from received
    union all
    select
        actor_id,
        sdk_session_id,
        event_at
    from stored_received

    {%- endcall %}
),

sdk_scope as (
    {%- call rudderstack_stage(ctes, 'sdk_scope', stage=false) %}

    select
        actor_id,
        sdk_session_id
    from positions
    where sdk_session_id is not null
    union
    select
        actor_id,
        sdk_session_id
    from {{ identifies_arrived }}
    where sdk_session_id is not null and actor_id is not null

    {%- endcall %}
),

derived_changes as (
    {%- call rudderstack_stage(ctes, 'derived_changes', stage=false) %}

    select
        actor_id,
        min(event_at) as changed_from
    from positions
    where sdk_session_id is null
    group by actor_id

    {%- endcall %}
),

{#-
    Per actor with changed session-less events and stored ones: from the start of its last
    derived session that began before the change (NULL: all of them). A session's start,
    not a piece's: the first event of piece 0 (a cut depends on the whole uncut session).
#}
derived_scope as (
    {%- call rudderstack_stage(ctes, 'derived_scope', stage=false) %}

    select
        derived_changes.actor_id,
        max(
            case
                when
                    stored_keys.event_number_in_session = 1 and stored_keys.session_piece = 0
                    and derived_changes.changed_from > stored_keys.event_at
                    then stored_keys.event_at
            end
        ) as derived_from
    from stored_keys
    inner join derived_changes on stored_keys.actor_id = derived_changes.actor_id
    where stored_keys.sdk_session_id is null
    group by derived_changes.actor_id

    {%- endcall %}
),

scope_locators as (
    {%- call rudderstack_stage(ctes, 'scope_locators', stage=false) %}

    select stored_keys.row_locator
    from stored_keys
    inner join sdk_scope
        on stored_keys.actor_id = sdk_scope.actor_id and stored_keys.sdk_session_id = sdk_scope.sdk_session_id
    union all
    select stored_keys.row_locator
    from stored_keys
    inner join derived_scope
        on
            stored_keys.actor_id = derived_scope.actor_id
            and stored_keys.sdk_session_id is null
            and (derived_scope.derived_from is null or stored_keys.event_at >= derived_scope.derived_from)

    {%- endcall %}
),

stored_in_scope as (
    {%- call rudderstack_stage(ctes, 'stored_in_scope') %}

    {{ rudderstack_stored_by_locator(window, 'empty_stored', 'event_id', 'scope_locators') }}

    {%- endcall %}
),
{%- else %}  {#- a full build: nothing stored, nothing staged #}

stored_in_scope as (

    {{ rudderstack_stored_rows(window, 'empty_stored') }}

),
{%- endif %}

events as {{ rudderstack_cte_hint(window.is_incremental) }} (
    {%- call rudderstack_stage(ctes, 'events', stage=false) %}

    select * from received
    union all
    select {{ event_columns | join(', ') }}
    from stored_in_scope
    where not exists (
        select 1 from received
        where received.event_id = stored_in_scope.event_id
    )

    {%- endcall %}
),

{#-
    Sessionized whole: sorting the keys alone and joining the events back costs a second
    pass over them, which on a full build (they stream, not held) means deduplicating
    twice (PostgreSQL at 1M events: 37 s against 19 s); on an incremental run it would
    save 0.7 s at 10M on DuckDB.
#}

sessionized as (
    {%- call rudderstack_stage(ctes, 'sessionized', stage=false) %}

    {{ sessionize_by_gap(
        'events',
        partition_by=['actor_id', 'sdk_session_id'],
        cohort='cohort',
        keep_together='sdk_session_id is not null',
        with_session_id=false,
    ) }}

    {%- endcall %}
),
{#-
    Sessions longer than var max_session_duration_hours cut into pieces, each event's
    numbered again within its piece (without the cap: every event in piece 0, as it is).
#}

pieces as (
    {%- call rudderstack_stage(ctes, 'pieces', stage=false) %}

    {{ cut_at_max_session_duration('sessionized', cap) }}

    {%- endcall %}
),

{#-
    What the sessions table last saw of each rewritten event: its stored row, or, when
    the run that wrote that row did not finish (it had this run's number), what that
    run carried over.
#}

previously as (
    {%- call rudderstack_stage(ctes, 'previously', stage=false) %}

    select
        scoped.event_id,
        scoped.anonymous_id,
        scoped.user_id,
        scoped.event_at,
        case when scoped.written_in_run < run.run_number then scoped.session_id else scoped.known_session_id end
            as known_session_id,
        case when scoped.written_in_run < run.run_number then scoped.anonymous_id else scoped.known_anonymous_id end
            as known_anonymous_id,
        coalesce(scoped.written_in_run = run.run_number and scoped.identity_changed, false) as was_identity_changed,
        {# The raw rows its stored row accounted for through the cutoff, and what an unfinished run moved. #}
        case when scoped.written_in_run = run.run_number then scoped.recounted_row_count else 0 end
        + {{ rudderstack_rows_counted_through_cutoff('scoped') }} as counted_row_count
    {# Every stored event the run rewrites is in scope (a received one, by its old position). #}
    from stored_in_scope as scoped
    cross join run

    {%- endcall %}
),

final as (
    {%- call rudderstack_stage(ctes, 'final') %}

    {%- set derived_id = ["'derived'", 'sessionized.actor_id', epoch_microseconds('sessionized.session_started_at')] %}
    {%- set sdk_id = ["'sdk'", 'sessionized.actor_id', 'sessionized.sdk_session_id'] %}
    select
        sessionized.event_id,
        {# a piece after the first: the uncut session's id parts and its number #}
        case
            when sessionized.session_piece > 0 and sessionized.sdk_session_id is null
                then {{ session_id_hash(derived_id + ['sessionized.session_piece']) }}
            when sessionized.session_piece > 0
                then {{ session_id_hash(sdk_id + ['sessionized.session_piece']) }}
            when sessionized.sdk_session_id is null
                then {{ session_id_hash(derived_id) }}
            else {{ session_id_hash(sdk_id) }}
        end as session_id,
        sessionized.actor_id,
        sessionized.anonymous_id,
        sessionized.user_id,
        sessionized.event_at,
        sessionized.event_type,
        sessionized.event_name,
        sessionized.channel,
        sessionized.cohort,
        case when sessionized.sdk_session_id is null then 'derived' else 'sdk' end as session_source,
        sessionized.sdk_session_id,
        sessionized.is_sdk_session_start,
        sessionized.event_number_in_piece as event_number_in_session,
        sessionized.session_piece,
        sessionized.{{ carried_columns | join(',\n        sessionized.') }},
        cast(run.run_number as {{ dbt.type_bigint() }}) as written_in_run,
        {# NULL for an event the sessions table has not seen: it replaces nothing. #}
        previously.known_session_id,
        previously.known_anonymous_id,
        {# Whether the event's observation that its anonymous id is a user (identity stitching) changed. #}
        (
            coalesce(previously.was_identity_changed, false)
            or {{ rudderstack_identity_link('sessionized') }} != {{ rudderstack_identity_link('previously') }}
            or ({{ rudderstack_identity_link('sessionized') }} = 1 and (
                sessionized.anonymous_id != previously.anonymous_id
                or sessionized.user_id != previously.user_id
                or sessionized.event_at != previously.event_at
            ))
        ) as identity_changed,
        {#
            The raw rows at or before the cutoff that the event's stored row accounted for and its
            new row does not (a received event's last delivery is after the cutoff): the
            missed-rows check counts them again among the deliveries the run re-read.
        #}
        cast(
            coalesce(previously.counted_row_count, 0) - {{ rudderstack_rows_counted_through_cutoff('sessionized') }}
            as {{ dbt.type_bigint() }}
        ) as recounted_row_count,
        cast(sessionized.event_at as date) as event_date
    from pieces as sessionized
    cross join run
    left join previously on sessionized.event_id = previously.event_id

    {%- endcall %}
)

{#- Parquet on Spark: the stored rows of the partitions this run rewrites, other than its own events. #}

{{ rudderstack_select_with_unreplaced_rows('final', rudderstack_events_replaced('final'), 'event_date', window) }}
