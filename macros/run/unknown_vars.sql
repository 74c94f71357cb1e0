{#-
    The vars this project reads (README, "Configuration"): every var under `vars:` in
    dbt_project.yml, and rudderstack_on_config_change (its default is in its macro).
-#}
{% macro rudderstack_var_names() -%}
    {{ return([
        'rudderstack_database', 'rudderstack_schema', 'rudderstack_sources', 'rudderstack_tracks_table', 'rudderstack_pages_table',
        'rudderstack_screens_table', 'rudderstack_identifies_table', 'event_passthrough_columns',
        'sessionization_cohort', 'rudderstack_lookback_minutes', 'rudderstack_allow_partial_runs',
        'session_timeout_minutes', 'session_engagement', 'rudderstack_state_events_per_slice',
        'rudderstack_funnels', 'analyst_roles', 'rudderstack_personal_columns',
        'rudderstack_automated_events_per_minute', 'max_session_duration_hours',
        'rudderstack_attribution_lookback_days', 'rudderstack_timeout_candidates_minutes',
        'rudderstack_conversions',
        'rudderstack_on_config_change',
    ]) }}
{%- endmacro %}


{#-
    Vars of earlier commits, and what replaced them (CHANGELOG.md, "Upgrading"): names that
    could collide with another package's took the prefix rudderstack_.
-#}
{% macro rudderstack_renamed_vars() -%}
    {{ return({
        'funnels': 'var rudderstack_funnels',
        'incremental_lookback_minutes': 'var rudderstack_lookback_minutes',
        'incremental_allow_partial_runs': 'var rudderstack_allow_partial_runs',
        'state_events_per_slice': 'var rudderstack_state_events_per_slice',
        'spark_file_format': "the model config file_format, set in dbt_project.yml"
            ~ " (models: {rudderstack_sessions: {+file_format: delta}})",
    }) }}
{%- endmacro %}


{#-
    A var given on the command line that this project does not read is a typo
    (`session_timeout_minute`), which would otherwise leave the default in force without a
    word: fail, naming it and the nearest names. Only when this project is the one being
    run: in a host project the command line also carries the host's own vars.
-#}
{% macro rudderstack_check_cli_vars() -%}
    {%- set given = invocation_args_dict.get('vars') or {} -%}
    {%- if project_name != 'rudderstack_sessions' or given is not mapping -%}
        {{ return('') }}
    {%- endif -%}
    {%- set known = rudderstack_sessions.rudderstack_var_names() -%}
    {%- set renamed = rudderstack_sessions.rudderstack_renamed_vars() -%}
    {%- for name in given.keys() if name in renamed -%}
        {{ exceptions.raise_compiler_error(
            "var '" ~ name ~ "' was renamed: use " ~ renamed[name]
            ~ " (CHANGELOG.md, Upgrading). Nothing was written."
        ) }}
    {%- endfor -%}
    {%- for name in given.keys() if name not in known -%}
        {#- The names it is part of (or that are part of it), else those that start the same. -#}
        {%- set near = [] -%}
        {%- for candidate in known if name in candidate or candidate in name -%}
            {%- do near.append(candidate) -%}
        {%- endfor -%}
        {%- for candidate in known if not near and candidate[:10] == name[:10] -%}
            {%- do near.append(candidate) -%}
        {%- endfor -%}
        {{ exceptions.raise_compiler_error(
            "var '" ~ name ~ "' is not a var of this project"
            ~ (" (did you mean " ~ near | join(' or ') ~ "?)" if near else "")
            ~ ". Its vars: " ~ known | join(', ') ~ " (README, Configuration). Nothing was written."
        ) }}
    {%- endfor -%}
{%- endmacro %}


{#-
    A var set in a dbt_project.yml (the project's own, or a host's `vars:` scoped to this
    package) cannot be listed from dbt's Jinja: `var` answers only whether a given name is
    set. So look for the names a typo of ours would give: one character dropped, doubled,
    swapped with its neighbour, replaced or added (`session_timeout_minute`), with or
    without the prefix rudderstack_, and the renamed vars. Warn, naming each and the var
    meant: in a host, a name may be the host's own var (its `funnels`), so this cannot fail.
    About 30,000 lookups, a fraction of a second, once per run (int_run_window).
-#}
{% macro rudderstack_check_near_miss_vars() -%}
    {%- set known = rudderstack_sessions.rudderstack_var_names() -%}
    {%- set renamed = rudderstack_sessions.rudderstack_renamed_vars() -%}
    {%- set found = {} -%}
    {%- for name in renamed if var.has_var(name) -%}
        {%- do found.update({name: "was renamed: use " ~ renamed[name]}) -%}
    {%- endfor -%}
    {%- set characters = 'abcdefghijklmnopqrstuvwxyz0123456789_-' -%}
    {%- set prefix = 'rudderstack_' -%}
    {%- for name in known -%}
        {%- set variants = [name[prefix | length:] if name.startswith(prefix) else prefix ~ name] -%}
        {%- for i in range(name | length + 1) -%}
            {%- if i < name | length -%}
                {%- do variants.append(name[:i] ~ name[i + 1:]) -%}
                {%- do variants.append(name[:i] ~ name[i] ~ name[i:]) -%}
            {%- endif -%}
            {%- if i + 1 < name | length -%}
                {%- do variants.append(name[:i] ~ name[i + 1] ~ name[i] ~ name[i + 2:]) -%}
            {%- endif -%}
            {%- for c in characters -%}
                {%- do variants.append(name[:i] ~ c ~ name[i:]) -%}
                {%- if i < name | length -%}
                    {%- do variants.append(name[:i] ~ c ~ name[i + 1:]) -%}
                {%- endif -%}
            {%- endfor -%}
        {%- endfor -%}
        {%- for variant in variants if variant not in known and variant not in found and var.has_var(variant) -%}
            {%- do found.update({variant: "is not a var of this package (did you mean " ~ name ~ "?)"}) -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- for name, problem in found.items() -%}
        {%- do exceptions.warn(
            "rudderstack_sessions: var '" ~ name ~ "' " ~ problem ~ ", so it has no effect here."
            ~ " Rename or remove it under vars: in dbt_project.yml (README, Configuration)."
        ) -%}
    {%- endfor -%}
{%- endmacro %}
