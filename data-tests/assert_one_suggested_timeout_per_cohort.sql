{#- rpt_session_timeouts suggests exactly one timeout per cohort: one row per cohort that does not. -#}
select
    cohort,
    sum(case when is_suggested then 1 else 0 end) as suggested_rows
from {{ ref('rpt_session_timeouts') }}
group by cohort
having sum(case when is_suggested then 1 else 0 end) <> 1
