{#-
    Who did it (docs/sessionization.md, "Sessions"): the device's anonymous id, else the user id. Server-side
    events often carry only user_id; that is valid input, not a rejected row.
-#}
{% macro rudderstack_actor_id(anonymous_id, user_id) -%}
    coalesce({{ anonymous_id }}, {{ user_id }})
{%- endmacro %}
