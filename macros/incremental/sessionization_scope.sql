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
    The stored sessions an incremental run of int_sessions replaces: every session in
    its scope (an id can vanish: a derived session whose start moved, an SDK session
    whose events moved away). None on a full build, which replaces all.
-#}
{% macro rudderstack_sessions_in_scope_replaced() -%}
    {%- if rudderstack_incremental_cutoff() is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set condition -%}
        exists (
            select 1
            from {{ ref('int_sessionization_scope') }} as scope
            where
                stored.actor_id = scope.actor_id
                and (
                    (
                        scope.scope_type = 'sdk'
                        and stored.session_source = 'sdk'
                        and stored.sdk_session_id = scope.sdk_session_id
                    )
                    or (
                        scope.scope_type = 'derived'
                        and stored.session_source = 'derived'
                        and (scope.derived_from is null or stored.session_started_at >= scope.derived_from)
                    )
                )
        )
    {%- endset -%}
    {{ return(condition) }}
{%- endmacro %}
