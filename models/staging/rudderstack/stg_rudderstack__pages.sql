{#- With no rudderstack_schema set, the source is the demo seed: build it first. -#}
{%- if rudderstack_uses_demo_data() %}
-- depends_on: {{ ref('pages') }}
{%- endif %}

with source as (

    {{ select_rudderstack_columns(
        'pages',
        rudderstack_activity_columns(event_name='name'),
        required=rudderstack_required_columns(),
    ) }}

),

final as (

    select
        'page' as event_type,
        {{ rudderstack_actor_id('anonymous_id', 'user_id') }} as actor_id,
        {{ rudderstack_arrival_at() }} as arrival_at,
        *
    from source

)

select * from final
