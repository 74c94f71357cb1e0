{{ config(materialized='view') }}  {#- read by state_sessions, for the anonymous ids whose links changed -#}

{#-
    Who an anonymous id was, over time: maximal runs of consecutive observations
    (state_identity_links, in time order) that name the same user. On a shared device
    (A logs in, then B, then A again) this gives three runs, so each later session
    goes to the user of the run it falls in (fct_sessions), not to whoever came first.
-#}

{#- Observations and runs of an anonymous id in time order, then by user id byte by byte. -#}
{%- set run_order = 'partition by anonymous_id order by run_started_at, ' ~ binary_collation('user_id') %}

with links as (

    select * from {{ ref('state_identity_links') }}

),

ordered as (

    select
        anonymous_id,
        user_id,
        linked_at,
        lag(user_id) over (
            partition by anonymous_id
            order by linked_at, {{ binary_collation('user_id') }}
        ) as previous_user_id
    from links

),

run_starts as (

    select
        anonymous_id,
        user_id,
        linked_at as run_started_at
    from ordered
    where previous_user_id is null or previous_user_id != user_id

),

final as (

    select
        anonymous_id,
        user_id,
        run_started_at,
        lead(run_started_at) over ({{ run_order }}) as next_run_started_at,
        row_number() over ({{ run_order }}) as run_number
    from run_starts

)

select * from final
