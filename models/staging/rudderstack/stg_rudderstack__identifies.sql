{#- With no rudderstack_schema set, the source is the demo seed: build it first. -#}
{%- if rudderstack_uses_demo_data() %}
-- depends_on: {{ ref('identifies') }}
{%- endif %}

with source as (

    {{ select_rudderstack_columns('identifies', rudderstack_identify_columns()) }}

),

final as (

    select
        {{ rudderstack_actor_id('anonymous_id', 'user_id') }} as actor_id,
        {{ rudderstack_arrival_at() }} as arrival_at,
        *
    from source

)

select * from final
