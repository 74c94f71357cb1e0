{{ config(materialized='view') }}  {#- a union: its readers filter it, no need to store it -#}

with tracks as (

    select * from {{ ref('stg_rudderstack__tracks') }}

),

pages as (

    select * from {{ ref('stg_rudderstack__pages') }}

),

screens as (

    select * from {{ ref('stg_rudderstack__screens') }}

),

unioned as (

    select * from tracks
    union all
    select * from pages
    union all
    select * from screens

)

select * from unioned
