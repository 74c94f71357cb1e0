{#-
    A full build in slices of actors (docs/sessionization.md, "A full build in slices of
    actors"; decision 0009).

    Sessionizing sorts every column state_events carries, and a sort that outgrows
    DuckDB's memory limit spills those columns uncompressed: at 100M events, more than
    67 GB, more disk than the machine had. Sessions never cross actors, so a full build
    can sessionize its events one slice of actors at a time, each slice's sort bounded
    by the slice's size, and append the slices: the rows are the same, whatever the
    number of slices.

    How: the model's query keeps only the actors of the current slice
    (rudderstack_actor_slice_condition: a hash of the actor, modulo the number of slices,
    equals the slice's number, both read from two DuckDB variables). A pre-hook decides
    the number of slices and sets the variables to slice 0; the model's own statement
    writes slice 0; a post-hook runs the same query for each further slice and appends
    its rows. With one slice (every incremental run, every engine but DuckDB, and a full
    build that fits in memory) the condition holds for every row and the post-hook does
    nothing.
-#}


{#-
    How many slices this run's build of state_events takes, decided in one place for the
    materialization of int_events_deduplicated (a table when more than one) and for
    state_events' pre-hook: {'slices', 'events_per_slice', 'rows'}. One slice on an
    incremental run and on engines other than DuckDB; else one per `events_per_slice` raw
    rows of the run's window (int_events_arrived: an upper bound on its events).
-#}
{% macro rudderstack_full_build_slices() -%}
    {%- set plan = {'slices': 1, 'events_per_slice': none, 'rows': none} -%}
    {%- if target.type != 'duckdb' or not execute or rudderstack_sessions.rudderstack_run_window().is_incremental -%}
        {{ return(plan) }}
    {%- endif -%}
    {#- Not ref(): a dependency every unit test of its callers would need a fixture for. Built before them. -#}
    {%- set arrived = rudderstack_sessions.rudderstack_model_relation('int_events_arrived') -%}
    {%- if arrived is none -%}
        {{ return(plan) }}
    {%- endif -%}
    {%- set per_slice = rudderstack_sessions.rudderstack_events_per_slice() -%}
    {%- set rows = run_query('select count(*) from ' ~ arrived).columns[0].values()[0] -%}
    {%- do plan.update({'slices': [1, ((rows + per_slice - 1) // per_slice) | int] | max,
                        'events_per_slice': per_slice, 'rows': rows}) -%}
    {{ return(plan) }}
{%- endmacro %}


{#-
    Pre-hook: the number of slices this build of the model takes, set as DuckDB variables
    (rudderstack_actor_slices, and rudderstack_actor_slice = 0). `received`: the relation
    the model sessionizes (int_events_deduplicated). It is a table exactly when the plan
    has more than one slice (rudderstack_received_kind), so a build that fits counts
    nothing more here.
-#}
{% macro rudderstack_plan_actor_slices(received) -%}
    {{ return(adapter.dispatch('rudderstack_plan_actor_slices', 'rudderstack_sessions')(received)) }}
{%- endmacro %}

{% macro default__rudderstack_plan_actor_slices(received) -%}
{%- endmacro %}

{% macro duckdb__rudderstack_plan_actor_slices(received) -%}
    {%- set slices = 1 -%}
    {%- set relation = load_relation(received) if execute else none -%}
    {%- if relation is not none and relation.is_table -%}
        {%- set plan = rudderstack_sessions.rudderstack_full_build_slices() -%}
        {%- set slices = plan.slices -%}
        {%- if slices > 1 -%}
            {{ log(this.identifier ~ ": a full build of " ~ plan.rows ~ " raw rows in " ~ slices
                ~ " slices of actors (one per " ~ plan.events_per_slice
                ~ " raw rows: var rudderstack_state_events_per_slice)", info=true) }}
        {%- endif -%}
    {%- endif -%}
    set variable rudderstack_actor_slices = {{ slices }};
    set variable rudderstack_actor_slice = 0
{%- endmacro %}


{#-
    How many events one slice holds: var rudderstack_state_events_per_slice, or by default one per
    600 bytes of DuckDB's memory limit (13.2M at the profile's 8GB, which reads back as
    7.4 GiB). At 10M events and 8GB, a full build held them all in memory: its peak RSS
    was 6.7 to 7.3 GB (whole process), with nothing spilled (bench/results.md).
-#}
{% macro rudderstack_events_per_slice() -%}
    {%- set setting = rudderstack_sessions.rudderstack_events_per_slice_setting() -%}
    {%- if setting is none -%}
        {%- set limit = run_query("select current_setting('memory_limit')").columns[0].values()[0] -%}
        {{ return([1, (rudderstack_sessions.rudderstack_bytes(limit) // 600) | int] | max) }}
    {%- endif -%}
    {{ return(setting) }}
{%- endmacro %}


{#- Var rudderstack_state_events_per_slice, validated: a whole number of events, at least 1, or none. -#}
{% macro rudderstack_events_per_slice_setting() -%}
    {%- set setting = var('rudderstack_state_events_per_slice', none) -%}
    {%- if setting is not none and (setting is not number or setting is boolean or setting < 1
        or setting != setting | int) -%}
        {{ exceptions.raise_compiler_error(
            "var 'rudderstack_state_events_per_slice' must be a whole number of events, at least 1, or null (derived"
            ~ " from DuckDB's memory_limit), got '" ~ setting ~ "'. Example of a valid value: 5000000") }}
    {%- endif -%}
    {{ return(none if setting is none else setting | int) }}
{%- endmacro %}


{#- A DuckDB size setting as it reads back ('7.4 GiB', '762.9 MiB', '8.0 GB'), in bytes. -#}
{% macro rudderstack_bytes(text) -%}
    {%- set parts = text.strip().split(' ') -%}
    {%- set units = {'bytes': 1, 'KB': 1000, 'MB': 1000 ** 2, 'GB': 1000 ** 3, 'TB': 1000 ** 4,
                     'KiB': 1024, 'MiB': 1024 ** 2, 'GiB': 1024 ** 3, 'TiB': 1024 ** 4} -%}
    {%- if parts | length != 2 or parts[1] not in units -%}
        {{ exceptions.raise_compiler_error("DuckDB's memory_limit reads back as '" ~ text ~ "', a size this"
            ~ " project cannot read: set var rudderstack_state_events_per_slice, for example --vars"
            ~ " '{rudderstack_state_events_per_slice: 10000000}'") }}
    {%- endif -%}
    {{ return((parts[0] | float) * units[parts[1]]) }}
{%- endmacro %}


{#-
    The model query's condition: the actor belongs to the current slice (always true with
    one slice). The slice size is validated here, as the model compiles.
-#}
{% macro rudderstack_actor_slice_condition(actor) -%}
    {%- do rudderstack_sessions.rudderstack_events_per_slice_setting() -%}
    {{ return(adapter.dispatch('rudderstack_actor_slice_condition', 'rudderstack_sessions')(actor)) }}
{%- endmacro %}

{% macro default__rudderstack_actor_slice_condition(actor) -%}
    true
{%- endmacro %}

{#- With the variables unset (the compiled query run by hand), one slice: every actor. -#}
{% macro duckdb__rudderstack_actor_slice_condition(actor) -%}
    hash({{ actor }}) % coalesce(getvariable('rudderstack_actor_slices'), 1)
        = coalesce(getvariable('rudderstack_actor_slice'), 0)
{%- endmacro %}


{#- Post-hook: the same query, for each slice after the first, appended to the table. -#}
{% macro rudderstack_append_actor_slices() -%}
    {{ return(adapter.dispatch('rudderstack_append_actor_slices', 'rudderstack_sessions')()) }}
{%- endmacro %}

{% macro default__rudderstack_append_actor_slices() -%}
{%- endmacro %}

{% macro duckdb__rudderstack_append_actor_slices() -%}
    {%- if execute -%}
        {%- set slices = run_query("select getvariable('rudderstack_actor_slices')").columns[0].values()[0] or 1 -%}
        {%- for slice in range(1, slices | int) -%}
            {%- do run_query('set variable rudderstack_actor_slice = ' ~ slice) -%}
            {#- The query on lines of its own: it may end in a comment. -#}
            {%- set written = run_query('insert into ' ~ this ~ ' by name select * from (\n' ~ sql ~ '\n) as slice_rows') -%}
            {{ log(this.identifier ~ ": slice " ~ slice ~ " of " ~ slices ~ ": "
                ~ written.columns[0].values()[0] ~ " rows appended", info=true) }}
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}
