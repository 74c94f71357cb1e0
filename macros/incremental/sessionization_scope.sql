{#-
    The events of `relation` (int_events_deduplicated or fct_events) that an incremental
    run re-sessionizes: those of the SDK sessions and derived windows in
    int_sessionization_scope. Models calling it declare
    -- depends_on: {{ ref('int_sessionization_scope') }}
-#}
{% macro rudderstack_events_in_scope(relation) -%}
    select events.*
    from {{ relation }} as events
    inner join {{ ref('int_sessionization_scope') }} as scope
        on
            scope.scope_type = 'sdk'
            and events.actor_id = scope.actor_id
            and events.sdk_session_id = scope.sdk_session_id
    union all
    select events.*
    from {{ relation }} as events
    inner join {{ ref('int_sessionization_scope') }} as scope
        on
            scope.scope_type = 'derived'
            and events.actor_id = scope.actor_id
            and events.sdk_session_id is null
            and (scope.derived_from is null or events.event_at >= scope.derived_from)
{%- endmacro %}


{#-
    Pre-hook of int_sessions: before an incremental run inserts the sessions it rebuilt,
    delete every session in its scope (an id can vanish: a derived session whose start
    moved, an SDK session whose events moved away). A full rebuild of the existing
    table deletes everything first.
-#}
{% macro rudderstack_delete_sessions_in_scope() -%}
    {%- if execute and is_incremental() -%}
        {%- set cutoff = rudderstack_incremental_cutoff() -%}
        delete from {{ this }} as sessions
        {%- if cutoff is not none %}
        where exists (
            select 1
            from {{ ref('int_sessionization_scope') }} as scope
            where
                sessions.actor_id = scope.actor_id
                and (
                    (
                        scope.scope_type = 'sdk'
                        and sessions.session_source = 'sdk'
                        and sessions.sdk_session_id = scope.sdk_session_id
                    )
                    or (
                        scope.scope_type = 'derived'
                        and sessions.session_source = 'derived'
                        and (scope.derived_from is null or sessions.session_started_at >= scope.derived_from)
                    )
                )
        )
        {%- endif %}
    {%- endif -%}
{%- endmacro %}
