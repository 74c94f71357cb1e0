{#-
    The run window, decided once per run (rudderstack_decide_run_window) and held as
    data, one row: every other model reads it from here. The one model that reads what
    an earlier run left (the last row of state_runs).
-#}
{%- set window = rudderstack_decide_run_window() %}

with final as (

    select
        cast({{ window.run_number }} as {{ dbt.type_bigint() }}) as run_number,
        {{ 'true' if window.is_incremental else 'false' }} as is_incremental,
        {% if window.cutoff is none -%}
        cast(null as {{ dbt.type_timestamp() }})
        {%- else -%}
        {{ rudderstack_timestamp_literal(window.cutoff) }}
        {%- endif %} as cutoff,
        {{ rudderstack_timestamp_literal(window.upper) }} as upper_bound,
        {#- A full build starts over: the previous runs' watermark says nothing of what it reads. #}
        {% if window.watermark is none or not window.is_incremental -%}
        cast(null as {{ dbt.type_timestamp() }})
        {%- else -%}
        {{ rudderstack_timestamp_literal(window.watermark) }}
        {%- endif %} as previous_watermark_at,
        cast({{ sql_string(window.reason) }} as {{ dbt.type_string() }}) as run_reason,
        cast({{ sql_string(tojson(window.config, sort_keys=true)) }} as {{ dbt.type_string() }}) as settings_json

)

select * from final
