{#-
    dbt run-operation rudderstack_report_data: the numbers `make report` draws
    (tools/report.py), read from the marts of the current target, printed as one line of
    JSON after the marker RUDDERSTACK_REPORT: {chart: {columns: [...], rows: [[text, ...]]}}.
    Values are text (agate's numbers are Decimals, which JSON does not take); the report
    parses them.
-#}
{% macro rudderstack_report_data() -%}
    {%- set sessions, funnels, gaps = ref('fct_sessions'), ref('fct_funnel_conversion'), ref('rpt_session_gap_histogram') -%}
    {%- set conversions = ref('fct_conversions') -%}
    {%- set queries = {
        'sessions_per_day': 'select cast(session_started_at as date) as session_date, channel_group, count(*) as sessions'
            ~ ' from ' ~ sessions ~ ' group by cast(session_started_at as date), channel_group'
            ~ ' order by session_date, channel_group',
        'sessions_by_source': "select coalesce(utm_source, '(none)') as source, channel_group, count(*) as sessions"
            ~ ' from ' ~ sessions ~ " group by coalesce(utm_source, '(none)'), channel_group"
            ~ ' order by sessions desc, source, channel_group',
        'session_durations': 'select ' ~ rudderstack_sessions.rudderstack_duration_bucket('duration_seconds')
            ~ ' as bucket, count(*) as sessions from ' ~ sessions
            ~ ' group by ' ~ rudderstack_sessions.rudderstack_duration_bucket('duration_seconds') ~ ' order by bucket',
        'funnels': 'select funnel_name, step_index, step_name, entities, conversion_from_first_step from ' ~ funnels
            ~ " where split_by = 'all' order by funnel_name, step_index",
        'conversions_by_channel': 'select last_non_direct_channel_group as channel_group, currency,'
            ~ ' count(*) as conversions, sum(value) as value from ' ~ conversions
            ~ ' group by last_non_direct_channel_group, currency order by channel_group, currency',
        'gap_histogram': 'select cohort, bucket_number, gap_above_minutes, gap_up_to_minutes, gap_count,'
            ~ ' configured_timeout_minutes, suggested_timeout_minutes from ' ~ gaps ~ ' order by cohort, bucket_number',
    } -%}
    {%- set data = {} -%}
    {%- for name, sql in queries.items() -%}
        {%- set table = run_query(sql) -%}
        {%- set rows = [] -%}
        {%- for row in table.rows -%}
            {%- set values = [] -%}
            {%- for value in row -%}
                {%- do values.append(none if value is none else value | string) -%}
            {%- endfor -%}
            {%- do rows.append(values) -%}
        {%- endfor -%}
        {%- do data.update({name: {'columns': table.column_names | list, 'rows': rows}}) -%}
    {%- endfor -%}
    {{ print('RUDDERSTACK_REPORT ' ~ tojson(data)) }}
{%- endmacro %}


{#- The duration bucket of a session, 0 to 9 (tools/report.py names them): under 10 s, 30 s, 1, 2, 5, 10, 30, 60, 120 minutes, longer. -#}
{% macro rudderstack_duration_bucket(seconds) -%}
    case
        {%- for bound in [10, 30, 60, 120, 300, 600, 1800, 3600, 7200] %}
        when {{ seconds }} < {{ bound }} then {{ loop.index0 }}
        {%- endfor %}
        else 9
    end
{%- endmacro %}
