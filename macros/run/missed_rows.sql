{#-
    The missed-rows check (docs/sessionization.md, "Rows the run cannot see").

    An incremental run reads the raw rows that arrived after its cutoff. Rows behind the
    cutoff are never read again, so they must be the rows the stored state accounts
    for: a row loaded after an earlier run but stamped with an arrival time before this
    cutoff (further back than rudderstack_lookback_minutes reaches) would be missed,
    and a row deleted behind the cutoff would still be counted.

    Checked once the run has written its state and before it is committed (state_runs):
    by then the events the run received again are deduplicated over every delivery the
    raw tables hold of them, however old, so a loader that replaces rows in place needs
    no exception. Two sums must agree, one for the activity tables (tracks, pages and
    screens together: an event id may be delivered to more than one) and one for
    identifies:

    - raw: the rows that arrived at or before the cutoff, each table's row count less
      its rows after the cutoff (pruned, as the run's own window is);
    - stored: the raw rows the state accounts for through the cutoff. For activity:
      1 + duplicate_row_count of each stored event whose last delivery arrived by then,
      the rejected rows that did, and the earlier deliveries of the events this run
      received (int_events_received_earlier: they were read again, and their events now
      arrive after the cutoff). For identifies: the stored calls that arrived by then.

    The stored side costs O(new data): each committed run records it through the next
    run's cutoff (its watermark less the lookback), and a run with the same lookback
    starts from that number, less what its own rewrites moved past the cutoff
    (state_events.recounted_row_count). A run whose lookback changed counts the state
    through its cutoff instead, once.

    Returns what state_runs records: the watermark, the next cutoff (checked_through)
    and the stored counts through it (all none when the run read nothing, ever).
-#}
{% macro rudderstack_checked_row_counts(window) -%}
    {#- Named at parse time too, so the model that calls this depends on what it counts. -#}
    {%- set stagings = ['stg_rudderstack__tracks', 'stg_rudderstack__pages', 'stg_rudderstack__screens',
                        'stg_rudderstack__identifies'] -%}
    {%- for staging in stagings -%}{%- do ref(staging) -%}{%- endfor -%}
    {%- set events, rejected, identifies = ref('state_events'), ref('state_rejected_rows'), ref('state_identifies') -%}
    {%- set reread, run = ref('int_events_received_earlier'), ref('int_run_window') -%}
    {%- set arrived_events, arrived_identifies = ref('int_events_arrived'), ref('int_identifies_arrived') -%}
    {%- set result = {'watermark': none, 'checked_through': none, 'activity_rows': none, 'identify_rows': none} -%}
    {#- Not built yet (dbt compile, sqlfluff on a fresh database): nothing to count. -#}
    {%- if not execute or model.resource_type == 'unit_test' or load_relation(run) is none -%}
        {{ return(result) }}
    {%- endif -%}
    {%- set lookback = rudderstack_sessions.rudderstack_lookback_minutes() -%}
    {%- set cutoff = window.cutoff_at -%}

    {#- The stored counts through the cutoff, after this run's writes (0 on a full build: it starts from nothing). -#}
    {%- set through_cutoff = [0, 0] -%}
    {%- if window.is_incremental -%}
        {%- set cutoff_literal = rudderstack_sessions.rudderstack_timestamp_literal(cutoff) -%}
        {%- set previous = run_query(
            'select lookback_minutes, activity_rows_through, identify_rows_through from ' ~ this
            ~ ' where run_number < ' ~ window.run_number ~ ' order by run_number desc limit 1').rows -%}
        {%- if previous and previous[0][0] is not none and previous[0][0] | float == lookback | float
            and previous[0][1] is not none -%}
            {#- The previous run counted through this cutoff: start from there. -#}
            {%- set stored_activity = '(' ~ previous[0][1] | int
                ~ ' - (select coalesce(sum(recounted_row_count), 0) from ' ~ events
                ~ ' where written_in_run = ' ~ window.run_number ~ '))' -%}
            {%- set stored_identify = '(' ~ previous[0][2] | int ~ ')' -%}
        {%- else -%}
            {%- set stored_activity = '((select coalesce(sum('
                ~ rudderstack_sessions.rudderstack_rows_counted_through_cutoff('stored', cutoff_literal) ~ '), 0) from ' ~ events
                ~ ' as stored where stored.last_arrival_at <= ' ~ cutoff_literal ~ ') + (select count(*) from '
                ~ rejected ~ ' where arrival_at <= ' ~ cutoff_literal ~ '))' -%}
            {%- set stored_identify = '(select count(*) from ' ~ identifies
                ~ ' where arrival_at <= ' ~ cutoff_literal ~ ')' -%}
        {%- endif -%}
        {%- set raw = [] -%}
        {%- for staging in stagings -%}
            {%- set raw_after -%}
                (select count(*) from (
                    {{ rudderstack_sessions.rudderstack_rows_arrived(staging, ['1 as one'], cutoff, none) }}
                ) as raw_after)
            {%- endset -%}
            {%- do raw.append('((select count(*) from ' ~ ref(staging) ~ ') - ' ~ raw_after ~ ')') -%}
        {%- endfor -%}
        {%- set counts = run_query(
            'select ' ~ stored_activity ~ ', ' ~ stored_identify ~ ', '
            ~ raw[0] ~ ' + ' ~ raw[1] ~ ' + ' ~ raw[2] ~ ' - (select count(*) from ' ~ reread ~ '), '
            ~ raw[3]).rows[0] -%}
        {%- set through_cutoff = [counts[0] | int, counts[1] | int] -%}
        {%- set problems = [] -%}
        {%- for label, difference in [
            ['tracks, pages and screens', (counts[2] | int) - through_cutoff[0]],
            ['identifies', (counts[3] | int) - through_cutoff[1]],
        ] if difference != 0 -%}
            {%- do problems.append(label ~ ' ' ~ '{:+d}'.format(difference)) -%}
        {%- endfor -%}
        {%- if problems -%}
            {{ exceptions.raise_compiler_error(
                "The raw RudderStack rows that arrived (uuid_ts, else received_at) at or before the incremental cutoff "
                ~ cutoff ~ " are not the rows this project read from them (raw minus read: "
                ~ problems | join(', ') ~ "). More raw rows: they were loaded after an earlier run but stamped before"
                ~ " the cutoff, further back than the lookback (var rudderstack_lookback_minutes = "
                ~ lookback ~ ") reaches; raise it to cover your loader's delay, then run again:"
                ~ " this run is not committed, so the next one reads its window again. Fewer raw rows: raw rows"
                ~ " were deleted or rewritten behind the cutoff. Either way an incremental run would be silently"
                ~ " wrong; if raising the lookback does not help, rebuild with dbt build --full-refresh"
            ) }}
        {%- endif -%}
    {%- endif -%}

    {#-
        The latest arrival read so far, in the window (not a row rejected as arriving in
        the future): it never moves back, and a run that read nothing keeps it.
    -#}
    {%- set watermark = rudderstack_sessions.rudderstack_as_datetime(run_query(
        'select max(latest_arrival_at) from (select max(arrival_at) as latest_arrival_at from ' ~ arrived_events
        ~ ' where arrival_at <= ' ~ rudderstack_sessions.rudderstack_timestamp_literal(window.upper_at)
        ~ ' union all select max(arrival_at) from ' ~ arrived_identifies
        ~ ' union all select previous_watermark_at from ' ~ run ~ ') as arrivals').rows[0][0]) -%}
    {%- if watermark is none -%}
        {{ return(result) }}
    {%- endif -%}

    {#- Through the next run's cutoff: add what arrived after this one's, all of it written by this run. -#}
    {%- set checked_through = watermark - modules.datetime.timedelta(minutes=lookback) -%}
    {%- set through = rudderstack_sessions.rudderstack_timestamp_literal(checked_through) -%}
    {%- set bounds = ' <= ' ~ through
        ~ ('' if cutoff is none else ' and {0} > ' ~ rudderstack_sessions.rudderstack_timestamp_literal(cutoff)) -%}
    {%- set added = run_query(
        'select (select coalesce(sum(' ~ rudderstack_sessions.rudderstack_rows_counted_through_cutoff('stored', through) ~ '), 0) from '
        ~ events ~ ' as stored where stored.last_arrival_at' ~ bounds.replace('{0}', 'stored.last_arrival_at') ~ ')'
        ~ ' + (select count(*) from ' ~ rejected ~ ' where arrival_at' ~ bounds.replace('{0}', 'arrival_at') ~ '), '
        ~ '(select count(*) from ' ~ identifies ~ ' where arrival_at' ~ bounds.replace('{0}', 'arrival_at') ~ ')'
    ).rows[0] -%}
    {%- do result.update({
        'watermark': watermark, 'checked_through': checked_through,
        'activity_rows': through_cutoff[0] + (added[0] | int), 'identify_rows': through_cutoff[1] + (added[1] | int),
    }) -%}
    {{ return(result) }}
{%- endmacro %}
