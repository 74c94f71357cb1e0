{#-
    The full rows of the deliveries deduplication kept, for `winners` (a relation or
    CTE with int_events_deduplicated's keys: event_id, delivery_source, received_at,
    loaded_at, event_at, tie_key (set only when the kept delivery ties with another on
    the three times), identical_row_count). Returns `carried` columns of the winners
    and `columns` of the kept row: from the raw deliveries the run deduplicated
    (rudderstack_delivery_rows; one of identical copies when there are several) for a
    winner that is one ('arrived'), from `stored` (fct_events as it stood) for an event
    an incremental run re-sessionizes without having received it again ('stored').
    Deduplication ranks narrow keys; this is where the stored rows get their columns.
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
        (select * from {{ rudderstack_delivery_rows() }} as delivery_rows where rejection_reason is null)
    {%- endset -%}
    {%- set on_delivery -%}
        winners.event_id = kept.event_id
        and {{ rudderstack_same_times('winners', 'kept') }}
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
