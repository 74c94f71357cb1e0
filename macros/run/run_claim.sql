{#-
    One run at a time on a target (docs/decisions/0011-overlapping-runs.md; README,
    "Running it in CI or a scheduler").

    PostgreSQL: a run that builds any model of this package claims the target in its
    on-run-start hook (dbt_project.yml), before any node runs, and releases the claim in its
    on-run-end hook. The claim is one row in table rudderstack_run_claim, beside the stored
    state (int_run_window's schema): the run's invocation id, when it claimed, and the
    application name and client address its connections carry.

    A run that finds another run's claim asks whether that run is still there: whether any
    connection to this database, other than its own, comes from the claimer's client with the
    claimer's application name. It looks for five seconds, twice a second (a live run opens
    one connection per node, and may have none open between two nodes for a moment); on the
    first one it sees it stops, before any node runs, naming the other run. When none
    shows up, the claimer was killed without its on-run-end (SIGKILL, a lost machine), as
    every connection of a dead process is closed by the server: the run takes the claim over.
    A transaction-level advisory lock makes the check and the claim one step: two runs that
    start together take turns, and the second sees the first's claim.

    DuckDB: nothing to do (a second process cannot open the database file while a run has
    it). Spark: nothing is done (docs/decisions/0011-overlapping-runs.md).
-#}

{#- The claim table, or none when this invocation builds none of this package's models. -#}
{% macro rudderstack_run_claim_relation() -%}
    {%- if not execute -%}{{ return(none) }}{%- endif -%}
    {%- for unique_id in selected_resources if unique_id.startswith('model.rudderstack_sessions.') -%}
        {{ return(rudderstack_sessions.rudderstack_run_claim_table()) }}
    {%- endfor -%}
    {{ return(none) }}
{%- endmacro %}


{#- Where the claim lives: beside int_run_window (the stored state's schema). -#}
{% macro rudderstack_run_claim_table() -%}
    {%- for node in graph.nodes.values()
        if node.resource_type == 'model' and node.package_name == 'rudderstack_sessions' and node.name == 'int_run_window' -%}
        {{ return(api.Relation.create(database=node.database, schema=node.schema, identifier='rudderstack_run_claim')) }}
    {%- endfor -%}
{%- endmacro %}


{#- on-run-start: claim the target, or stop naming the run that holds it. -#}
{% macro rudderstack_claim_run() -%}
    {{ return(adapter.dispatch('rudderstack_claim_run', 'rudderstack_sessions')()) }}
{%- endmacro %}

{% macro default__rudderstack_claim_run() -%}
{%- endmacro %}

{% macro postgres__rudderstack_claim_run() -%}
    {%- set claim = rudderstack_sessions.rudderstack_run_claim_relation() -%}
    {%- if claim is none -%}{{ return('') }}{%- endif -%}
    {#- Held until this hook's commit (or its connection closes): the check and the claim are one step. -#}
    {%- do run_query("select pg_advisory_xact_lock(hashtext(" ~ rudderstack_sessions.sql_string(
        'rudderstack_sessions.run_claim ' ~ claim.schema) ~ "))") -%}
    {%- do run_query("create schema if not exists " ~ adapter.quote(claim.schema)) -%}
    {%- do run_query("create table if not exists " ~ claim ~ " (invocation_id text not null,"
        ~ " claimed_at timestamptz not null, application_name text not null, client_address text not null)") -%}
    {%- set held = run_query("select invocation_id, cast(claimed_at at time zone 'UTC' as text),"
        ~ " application_name, client_address from " ~ claim).rows -%}
    {%- for other in held if other[0] != invocation_id -%}
        {%- set open = rudderstack_sessions.rudderstack_claimer_connections(other[2], other[3]) -%}
        {%- if open -%}
            {%- set message = "rudderstack_sessions: another run is writing to this target (schema " ~ claim.schema
                ~ "): dbt invocation " ~ other[0] ~ ", started " ~ other[1] ~ " UTC, still connected (application "
                ~ other[2] ~ " from " ~ (other[3] or 'a local socket') ~ ", server process " ~ open | join(', ')
                ~ "). This run stopped before writing anything. Wait for that run to finish, then run again"
                ~ " (give your scheduler one concurrent run per target). If no run of this project is in progress"
                ~ " (those connections are another program's), clear the claim with:"
                ~ " dbt run-operation rudderstack_clear_run_claim" -%}
            {#- Raised while the hook renders: a failing hook statement would not stop the nodes
                (dbt runs them unless the root project sets flag skip_nodes_if_on_run_start_fails). -#}
            {{ exceptions.raise_compiler_error(message) }}
        {%- endif -%}
        {{ log("rudderstack_sessions: took over the claim of run " ~ other[0] ~ " (started " ~ other[1]
            ~ " UTC): it stopped without releasing it, and none of its connections is open", info=true) }}
    {%- endfor -%}
    delete from {{ claim }};
    insert into {{ claim }} (invocation_id, claimed_at, application_name, client_address)
    values ({{ rudderstack_sessions.sql_string(invocation_id) }}, now(), current_setting('application_name'),
            coalesce(host(inet_client_addr()), ''));
    commit
{%- endmacro %}


{#-
    The server processes of the connections a claimer's run would hold: this database, the
    claimer's application name and client address, not this connection. Looked for over five
    seconds; the first sighting ends the search.
-#}
{% macro rudderstack_claimer_connections(application_name, client_address) -%}
    {%- for attempt in range(10) -%}
        {#- First a pause (this run's own connections of a moment ago are closing), then a fresh
            snapshot: within a transaction, pg_stat_activity is otherwise read once. -#}
        {%- do run_query("select pg_sleep(0.5), pg_stat_clear_snapshot()") -%}
        {%- set rows = run_query(
            "select pid from pg_stat_activity"
            ~ " where datname = current_database() and pid <> pg_backend_pid()"
            ~ " and application_name = " ~ rudderstack_sessions.sql_string(application_name)
            ~ " and coalesce(host(client_addr), '') = " ~ rudderstack_sessions.sql_string(client_address)
            ~ " order by pid").rows -%}
        {%- if rows -%}
            {{ return(rows | map(attribute=0) | map('string') | list) }}
        {%- endif -%}
    {%- endfor -%}
    {{ return([]) }}
{%- endmacro %}


{#- on-run-end: release this run's claim (a run that failed too). -#}
{% macro rudderstack_release_run() -%}
    {{ return(adapter.dispatch('rudderstack_release_run', 'rudderstack_sessions')()) }}
{%- endmacro %}

{% macro default__rudderstack_release_run() -%}
{%- endmacro %}

{% macro postgres__rudderstack_release_run() -%}
    {%- set claim = rudderstack_sessions.rudderstack_run_claim_relation() -%}
    {%- if claim is none -%}{{ return('') }}{%- endif -%}
    {%- if run_query("select to_regclass(" ~ rudderstack_sessions.sql_string(claim) ~ ") is not null").rows[0][0] -%}
        delete from {{ claim }} where invocation_id = {{ rudderstack_sessions.sql_string(invocation_id) }};
        commit
    {%- endif -%}
{%- endmacro %}


{#-
    dbt run-operation rudderstack_clear_run_claim: forget the claim on this target, when the
    run that holds it is known to be gone but a connection of another program from its
    machine keeps it looking alive. Never while a run is in progress.
-#}
{% macro rudderstack_clear_run_claim() -%}
    {%- set claim = rudderstack_sessions.rudderstack_run_claim_table() -%}
    {%- if target.type != 'postgres' -%}
        {{ log("rudderstack_sessions: runs on target " ~ target.name ~ " (" ~ target.type ~ ") take no claim:"
            ~ " nothing to clear", info=true) }}
        {{ return('') }}
    {%- endif -%}
    {%- if run_query("select to_regclass(" ~ rudderstack_sessions.sql_string(claim) ~ ") is null").rows[0][0] -%}
        {{ log("rudderstack_sessions: no run has claimed " ~ claim.schema ~ ": nothing to clear", info=true) }}
        {{ return('') }}
    {%- endif -%}
    {%- set held = run_query("delete from " ~ claim ~ " returning invocation_id").rows -%}
    {%- do adapter.commit() -%}
    {{ log("rudderstack_sessions: cleared the claim of run " ~ (held | map(attribute=0) | join(', ') or 'none')
        ~ " on " ~ claim.schema, info=true) }}
{%- endmacro %}
