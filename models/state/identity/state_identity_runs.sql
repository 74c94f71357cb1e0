{{ config(**rudderstack_state_config('append', partition_column='run_started_date', lookups=['anonymous_id'])) }}
{{ config(
    pre_hook="{{ rudderstack_delete_replaced_rows(rudderstack_identity_runs_replaced()) }}",
    post_hook="{{ rudderstack_drop_stages() }}",
) }}
{#- a run replaces every run of the anonymous ids whose links changed -#}

{#-
    Who an anonymous id was, over time: maximal runs of consecutive observations
    (state_identity_links, in time order) that name the same user. On a shared device
    (A logs in, then B, then A again) this gives three runs, so each later session
    goes to the user of the run it falls in (fct_sessions), not to whoever came first.
    Stored, and rebuilt per run only for the anonymous ids whose observations changed
    (rudderstack_identity_changed_anonymous_ids): every one on a full build.
-#}
{%- set window = rudderstack_run_window() %}
{%- set ctes = rudderstack_ctes(window) %}  {#- on Spark, stages written once (rudderstack_stage) #}

{#- Observations and runs of an anonymous id in time order, then by user id byte by byte. -#}
{%- set run_order = 'partition by anonymous_id order by run_started_at, ' ~ binary_collation('user_id') %}

with changed_anonymous_ids as (
    {%- call rudderstack_stage(ctes, 'changed_anonymous_ids') %}

    {{ rudderstack_identity_changed_anonymous_ids(window.run_number) }}

    {%- endcall %}
),

links as (
    {%- call rudderstack_stage(ctes, 'links', stage=false) %}

    {# Every observation of those anonymous ids, however old (narrow: found by key first). #}
    select * from {{ ref('state_identity_links') }}
    where anonymous_id in (select changed_anonymous_ids.anonymous_id from changed_anonymous_ids)

    {%- endcall %}
),

ordered as (
    {%- call rudderstack_stage(ctes, 'ordered', stage=false) %}

    select
        anonymous_id,
        user_id,
        linked_at,
        lag(user_id) over (
            partition by anonymous_id
            order by linked_at, {{ binary_collation('user_id') }}
        ) as previous_user_id
    from links

    {%- endcall %}
),

run_starts as (
    {%- call rudderstack_stage(ctes, 'run_starts', stage=false) %}

    select
        anonymous_id,
        user_id,
        linked_at as run_started_at
    from ordered
    where previous_user_id is null or previous_user_id != user_id

    {%- endcall %}
),

final as (
    {%- call rudderstack_stage(ctes, 'final') %}

    select
        anonymous_id,
        user_id,
        run_started_at,
        lead(run_started_at) over ({{ run_order }}) as next_run_started_at,
        cast(row_number() over ({{ run_order }}) as {{ dbt.type_bigint() }}) as run_number,
        cast({{ window.run_number }} as {{ dbt.type_bigint() }}) as written_in_run,
        {# Last: the partition column, where Spark keeps it. #}
        cast(run_started_at as date) as run_started_date
    from run_starts

    {%- endcall %}
)

{#- Parquet on Spark: the stored rows of the partitions this run rewrites, other than the changed anonymous ids'. #}

{{ rudderstack_select_with_unreplaced_rows('final', rudderstack_identity_runs_replaced(), 'run_started_date', window) }}
