{#-
    The dedup order (SPEC 1): per event id, the delivery received last; ties go to the
    one loaded last, then to the latest event time (this macro), then to the lowest tie
    key (rudderstack_tie_key, compared byte by byte; int_events_deduplicated builds it
    only for deliveries tied on the three times), so every engine keeps the same
    delivery. Deliveries equal on all of it are identical: any one will do.
-#}
{% macro rudderstack_arrival_order() -%}
    received_at desc nulls last, loaded_at desc nulls last, event_at desc
{%- endmacro %}


{#-
    The tie key of a delivery: its staged columns other than the times (event type,
    ids, names, context, passthrough), as one text, NULL marked apart from ''.
    `prefix` qualifies the columns ('' or 'alias.').
-#}
{% macro rudderstack_tie_key(prefix='') -%}
    {%- set parts = ["coalesce(" ~ prefix ~ "event_type, '')"] -%}
    {%- for raw_names, name, kind in rudderstack_activity_columns(none) if kind != 'timestamp' -%}
        {%- do parts.append("coalesce(cast(" ~ prefix ~ name ~ " as " ~ dbt.type_string() ~ "), chr(1))") -%}
    {%- endfor -%}
    concat_ws(chr(31), {{ parts | join(', ') }})
{%- endmacro %}


{#- Two deliveries (relation aliases) with the same three dedup times, NULLs equal. -#}
{% macro rudderstack_same_times(left, right) -%}
    {{ rudderstack_sessions.null_safe_timestamp_equal(left ~ '.received_at', right ~ '.received_at') }}
    and {{ rudderstack_sessions.null_safe_timestamp_equal(left ~ '.loaded_at', right ~ '.loaded_at') }}
    and {{ left }}.event_at = {{ right }}.event_at
{%- endmacro %}


{#-
    a = b for two timestamps, where two NULLs are equal, written so that a join on it
    can hash (PostgreSQL cannot hash `is not distinct from`: it would loop).
-#}
{% macro null_safe_timestamp_equal(left, right) -%}
    {%- set never = "cast('0001-01-01 00:00:00' as " ~ dbt.type_timestamp() ~ ")" -%}
    coalesce({{ left }}, {{ never }}) = coalesce({{ right }}, {{ never }})
{%- endmacro %}
