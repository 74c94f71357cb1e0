{#-
    The dedup rule (docs/sessionization.md, "Deduplication"), in one place: per
    event id, the delivery received last wins (a delivery without received_at loses);
    ties go to the one loaded last (uuid_ts), then to the latest event time, then to a
    fixed order over every other staged column, column by column (text compared byte by
    byte, NULL first), the source's name last, so every engine keeps the same delivery. Deliveries equal on all
    of it are identical copies: any one will do.
    `prefix` qualifies the columns ('' or 'alias.').
-#}
{% macro rudderstack_delivery_order(prefix='') -%}
    {%- set keys = [
        prefix ~ 'received_at desc nulls last',
        prefix ~ 'loaded_at desc nulls last',
        prefix ~ 'event_at desc',
        rudderstack_sessions.binary_collation(prefix ~ 'event_type') ~ ' nulls first',
    ] -%}
    {%- set passthrough_types = rudderstack_sessions.rudderstack_passthrough_types() if rudderstack_sessions.rudderstack_passthrough_columns() else {} -%}
    {%- for raw_names, name, kind in rudderstack_sessions.rudderstack_activity_columns(none) if kind not in ['timestamp', 'invalid_timestamp', 'raw', 'raw_id', 'source'] -%}
        {%- set data_type = passthrough_types.get(name, '') | lower if kind == 'passthrough' else '' -%}
        {%- if kind in ['boolean'] or (kind == 'passthrough' and not rudderstack_sessions.rudderstack_is_text_type(data_type)) -%}
            {%- do keys.append(prefix ~ name ~ ' nulls first') -%}
        {%- else -%}
            {%- do keys.append(rudderstack_sessions.binary_collation(prefix ~ name) ~ ' nulls first') -%}
        {%- endif -%}
    {%- endfor -%}
    {#- Last, the source (rudderstack_sources): of copies equal in everything else, the first source by name. -#}
    {%- do keys.append(rudderstack_sessions.binary_collation(prefix ~ 'source_name') ~ ' nulls first') -%}
    {{ return(keys | join(', ')) }}
{%- endmacro %}
