{#-
    The missed-rows check (docs/sessionization.md, "Rows the run cannot see").

    An incremental run reads the raw rows that arrived after its cutoff. Rows behind the
    cutoff are never read again, so they must be the rows the stored state accounts
    for: a row loaded after an earlier run but stamped with an arrival time before this
    cutoff (further back than incremental_lookback_minutes reaches) would be missed,
    and a row deleted behind the cutoff would still be counted.

    Checked once the run has written its state and before it is committed (state_runs):
    by then the events the run received again are deduplicated over every delivery the
    raw tables hold of them, however old, so a loader that replaces rows in place needs
    no exception. Per raw table, the raw rows that arrived at or before the cutoff must
    equal the stored rows that account for them: the events delivered once (their
    arrival is last_arrival_at), the deliveries of the others (state_redeliveries), the
    rejected rows, and the identify calls. Counts, not joins: each side is one count of
    the rows after the cutoff (pruned, as the run's own window is) subtracted from a total.
-#}
{% macro rudderstack_assert_no_missed_rows(window) -%}
    {#- Named at parse time too, so the model that calls this depends on what it counts. -#}
    {%- set counted = [
        ref('stg_rudderstack__tracks'), ref('stg_rudderstack__pages'), ref('stg_rudderstack__screens'),
        ref('stg_rudderstack__identifies'), ref('state_events'), ref('state_redeliveries'),
        ref('state_rejected_rows'), ref('state_identifies'),
    ] -%}
    {%- if not execute or not window.is_incremental -%}
        {{ return('') }}
    {%- endif -%}
    {%- set cutoff = window.cutoff_at -%}
    {%- set cutoff_literal = rudderstack_timestamp_literal(cutoff) -%}
    {%- set tables = [
        ['tracks', 'stg_rudderstack__tracks', 'track'],
        ['pages', 'stg_rudderstack__pages', 'page'],
        ['screens', 'stg_rudderstack__screens', 'screen'],
        ['identifies', 'stg_rudderstack__identifies', none],
    ] -%}
    {%- set parts = [] -%}
    {%- for table_key, staging, event_type in tables -%}
        {%- set raw_after -%}
            (select count(*) from (
                {{ rudderstack_rows_arrived(staging, ['1 as one'], cutoff, none) }}
            ) as raw_after)
        {%- endset -%}
        {%- if event_type is none -%}
            {%- set stored -%}
                (select count(*) from {{ ref('state_identifies') }} where arrival_at <= {{ cutoff_literal }})
            {%- endset -%}
        {%- else -%}
            {%- set stored -%}
                (select count(*) from {{ ref('state_events') }}
                 where event_type = '{{ event_type }}' and duplicate_row_count = 0
                 and last_arrival_at <= {{ cutoff_literal }})
                + (select count(*) from {{ ref('state_redeliveries') }}
                   where event_type = '{{ event_type }}' and arrival_at <= {{ cutoff_literal }})
                + (select count(*) from {{ ref('state_rejected_rows') }}
                   where event_type = '{{ event_type }}' and arrival_at <= {{ cutoff_literal }})
            {%- endset -%}
        {%- endif -%}
        {%- do parts.append("(select count(*) from " ~ ref(staging) ~ ") - " ~ raw_after ~ " - (" ~ stored ~ ") as "
            ~ table_key ~ "_difference") -%}
    {%- endfor -%}
    {%- set differences = run_query('select ' ~ parts | join(',\n')).rows[0] -%}
    {%- set problems = [] -%}
    {%- for table_key, staging, event_type in tables -%}
        {%- set difference = differences[loop.index0] | int -%}
        {%- if difference != 0 -%}
            {%- do problems.append(table_key ~ ' ' ~ '{:+d}'.format(difference)) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if problems -%}
        {{ exceptions.raise_compiler_error(
            "The raw RudderStack rows that arrived (uuid_ts, else received_at) at or before the incremental cutoff "
            ~ cutoff ~ " are not the rows this project read from them (raw minus read, per table: "
            ~ problems | join(', ') ~ "). More raw rows: they were loaded after an earlier run but stamped before"
            ~ " the cutoff, further back than the lookback (var incremental_lookback_minutes = "
            ~ rudderstack_lookback_minutes() ~ ") reaches; raise it to cover your loader's delay, then run again:"
            ~ " this run is not committed, so the next one reads its window again. Fewer raw rows: raw rows"
            ~ " were deleted or rewritten behind the cutoff. Either way an incremental run would be silently"
            ~ " wrong; if raising the lookback does not help, rebuild with dbt build --full-refresh"
        ) }}
    {%- endif -%}
    {{ return('') }}
{%- endmacro %}
