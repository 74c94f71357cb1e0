{#-
    One row per raw row of the conversions' own tables (var rudderstack_conversions): every
    delivery, in every source, not deduplicated (fct_conversions keeps one per event). The
    value read from the conversion's value column as a number (NULL when it is none), the
    currency as text; a table or column that does not exist is NULL, never a failure.
-#}
{#- With no rudderstack_schema set, the sources are the demo seeds: the demo's conversion table first. -#}
{%- if rudderstack_uses_demo_data() %}
-- depends_on: {{ ref('order_completed') }}
{%- endif %}
{%- set conversions = rudderstack_conversions() %}
{{- rudderstack_check_conversion_tables(conversions) }}

with source as (

    {%- for conversion in conversions %}
    select
        cast({{ sql_string(conversion.event) }} as {{ dbt.type_string() }}) as conversion_name,
        *
    from (
        {{- select_rudderstack_columns(none, rudderstack_conversion_columns(conversion), identifier=conversion.table) }}
    ) as conversion_rows
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- else %}
    {#- No conversion listed: the columns, no rows. #}
    select
        cast(null as {{ dbt.type_string() }}) as conversion_name,
        cast(null as {{ dbt.type_string() }}) as source_name,
        cast(null as {{ dbt.type_string() }}) as event_id,
        cast(null as {{ dbt.type_timestamp() }}) as received_at,
        cast(null as {{ dbt.type_timestamp() }}) as loaded_at,
        cast(null as {{ dbt.type_numeric() }}) as value,  -- noqa: RF04
        cast(null as {{ dbt.type_string() }}) as currency
    where 1 = 0
    {%- endfor %}

),

final as (

    select * from source

)

select * from final
