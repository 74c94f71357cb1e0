{#-
    The full rows of the deliveries deduplication kept, for `winners` (a relation or
    CTE with int_events_deduplicated's keys: event_id, delivery_source, received_at,
    loaded_at, event_at, tie_key (set only when the kept delivery ties with another on
    the three times), identical_row_count). Returns `carried` columns of the
    winners and `columns` of the kept row: from int_events_arrived for a delivery that
    arrived this run (one of identical copies when there are several), from `stored`
    (the previous state: fct_events or fct_events_passthrough) otherwise.
    Deduplication ranks narrow keys; this is the one place full rows are joined back.
-#}
{% macro rudderstack_kept_rows(winners, carried, columns, stored=none) -%}
    {%- set select_list -%}
        {%- for column in carried %}
        winners.{{ column }},
        {%- endfor %}
        {%- for column in columns %}
        kept.{{ column }}{{ ',' if not loop.last }}
        {%- endfor %}
    {%- endset -%}
    {%- set arrived -%}
        (select * from {{ ref('int_events_arrived') }} where rejection_reason is null)
    {%- endset -%}
    {%- set on_delivery -%}
        winners.event_id = kept.event_id
        and {{ rudderstack_sessions.null_safe_timestamp_equal('winners.received_at', 'kept.received_at') }}
        and {{ rudderstack_sessions.null_safe_timestamp_equal('winners.loaded_at', 'kept.loaded_at') }}
        and winners.event_at = kept.event_at
        and (winners.tie_key is null or winners.tie_key = {{ rudderstack_tie_key('kept.') }})
    {%- endset -%}
    select {{ select_list }}
    from {{ winners }} as winners
    inner join {{ arrived }} as kept
        on {{ on_delivery }}
    where winners.delivery_source = 'arrived' and winners.identical_row_count = 1
    union all
    select {{ (carried + columns) | join(', ') }}
    from (
        select
            row_number() over (partition by winners.event_id order by winners.event_id) as copy_rank,
            {{ select_list }}
        from {{ winners }} as winners
        inner join {{ arrived }} as kept
            on {{ on_delivery }}
        where winners.delivery_source = 'arrived' and winners.identical_row_count > 1
    ) as copies
    where copy_rank = 1
    {%- if stored is not none %}
    union all
    select {{ select_list }}
    from {{ winners }} as winners
    inner join {{ stored }} as kept
        on winners.event_id = kept.event_id
    where winners.delivery_source = 'stored'
    {%- endif %}
{%- endmacro %}
