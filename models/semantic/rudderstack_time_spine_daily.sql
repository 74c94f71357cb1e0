{#-
    One row per day, the time spine MetricFlow needs for the semantic layer
    (models/semantic/_semantic_models.yml): 2000-01-01 through 2049-12-31.
-#}

with days as (

    {{ dbt.date_spine('day', "cast('2000-01-01' as date)", "cast('2050-01-01' as date)") }}

),

final as (

    select cast(date_day as date) as date_day
    from days

)

select * from final
