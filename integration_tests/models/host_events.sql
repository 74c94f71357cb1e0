-- A model of the host's own: the package's events, one cohort per channel.
select
    event_id,
    actor_id,
    event_at,
    case when channel in ('web', 'mobile', 'server') then channel else 'other' end as cohort
from {{ ref('rudderstack_sessions', 'fct_events') }}
