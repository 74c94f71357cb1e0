{#-
    Seeds on Spark, with literal values. dbt-spark binds seed values as text through
    its `session` method, which writes NULL as the string 'None' and cuts timestamps
    to milliseconds: the demo's rejected rows (no id) would pass, and its microsecond
    gaps would change. Overrides dbt-spark's spark__load_csv_rows (the root project's
    macro wins dispatch), otherwise the same: batched inserts, one cast per value.
-#}
{% macro spark__load_csv_rows(model, agate_table) %}
    {%- set column_override = model['config'].get('column_types', {}) -%}
    {%- set types = [] -%}
    {%- for column_name in agate_table.column_names -%}
        {%- do types.append(column_override.get(column_name, adapter.convert_type(agate_table, loop.index0))) -%}
    {%- endfor -%}
    {%- set statements = [] -%}
    {%- for chunk in agate_table.rows | batch(get_batch_size()) -%}
        {%- set sql -%}
            insert into {{ this.render() }} values
            {%- for row in chunk %}
            ({%- for value in row -%}
                cast({{ rudderstack_sessions.rudderstack_spark_literal(value) }} as {{ types[loop.index0] }})
                {{- ', ' if not loop.last -}}
            {%- endfor -%}){{ ',' if not loop.last }}
            {%- endfor %}
        {%- endset -%}
        {%- do adapter.add_query(sql, abridge_sql_log=True) -%}
        {%- if loop.first -%}
            {%- do statements.append(sql) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(statements[0] if statements else '') }}
{% endmacro %}


{#- A Spark SQL literal for a seed value (agate: text, number, boolean, date or datetime). -#}
{% macro rudderstack_spark_literal(value) -%}
    {%- if value is none -%}
        null
    {%- elif value is sameas true or value is sameas false -%}
        {{ 'true' if value else 'false' }}
    {%- elif value is number -%}
        '{{ value }}'
    {%- elif value.isoformat is defined -%}
        '{{ value.isoformat(' ') if value.hour is defined else value.isoformat() }}'
    {%- else -%}
        '{{ value | string | replace("\\", "\\\\") | replace("'", "\\'") }}'
    {%- endif -%}
{%- endmacro %}
