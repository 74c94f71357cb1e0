{#-
    Why an activity row cannot be sessionized (docs/sessionization.md, "Rejection"), or NULL when it can: the
    rejection rule, in one place. The first failing check names the reason.
-#}
{% macro rudderstack_rejection_reason() -%}
    case
        when event_id is null then 'missing_event_id'
        when event_at is null then 'missing_timestamp'
        when actor_id is null then 'missing_actor'
    end
{%- endmacro %}
