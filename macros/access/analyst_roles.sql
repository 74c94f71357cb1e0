{#-
    Access (README, "Data quality and safety"): var analyst_roles lists the database roles
    that may read the marts. The post-hook of every mart (dbt_project.yml) grants each of
    them select on it, and usage of its schema. Nothing is granted on the internal schema
    (staging views, the intermediate chain, the stored state and the rejected rows, which
    hold raw values) or on the raw tables: a listed role reads the marts and is refused
    everything else. fct_events and fct_sessions are views over the stored state, which
    they read with their owner's rights.

    A grant in a post-hook rather than dbt's `grants` config: dbt renders dbt_project.yml's
    configs before the vars that file sets, so a `+grants` built from this var there would
    see only the command line's. Each run replaces every mart (a table or view created
    anew), so a role taken off the list loses its grant at the next run.
-#}

{#- Var analyst_roles, validated: a list of role names ([] grants nothing). -#}
{% macro rudderstack_analyst_roles() -%}
    {%- set example = "--vars '{analyst_roles: [analyst, bi_reader]}'" -%}
    {%- set value = rudderstack_sessions.rudderstack_list_var('analyst_roles', 'database role names', example) -%}
    {%- for role in value -%}
        {#- Named unquoted in the grant, as dbt's own grants do: a plain identifier. -#}
        {%- if role is not string or not modules.re.fullmatch('[A-Za-z_][A-Za-z0-9_]*', role) -%}
            {{ exceptions.raise_compiler_error(
                "var 'analyst_roles' must be a list of database role names (letters, digits and _), got '"
                ~ role ~ "' in " ~ value ~ ". Example: " ~ example
            ) }}
        {%- endif -%}
    {%- endfor -%}
    {{ return(value | list) }}
{%- endmacro %}


{#- Once per run, before anything is written (rudderstack_decide_run_window). -#}
{% macro rudderstack_check_analyst_roles() -%}
    {%- if rudderstack_sessions.rudderstack_analyst_roles() and target.type == 'duckdb' -%}
        {{ exceptions.warn(
            "var 'analyst_roles' is set, but DuckDB has no database roles: nothing is granted on target "
            ~ target.name ~ " (whoever can open the file reads all of it)"
        ) }}
    {%- endif -%}
{%- endmacro %}


{#- Post-hook of every mart: select on it, and usage of its schema, for each analyst role. -#}
{% macro rudderstack_grant_to_analysts() -%}
    {%- set roles = rudderstack_sessions.rudderstack_analyst_roles() if execute else [] -%}
    {%- if roles -%}
        {{ return(adapter.dispatch('rudderstack_grant_to_analysts', 'rudderstack_sessions')(roles)) }}
    {%- endif -%}
{%- endmacro %}

{#- DuckDB: no roles (rudderstack_analyst_roles warns). -#}
{% macro default__rudderstack_grant_to_analysts(roles) -%}
{%- endmacro %}

{#-
    Every mart grants usage of the same schema, from threads running at once: PostgreSQL
    fails one of two concurrent updates of the schema's privileges ("tuple concurrently
    updated"). A transaction-level advisory lock makes them take turns, each released
    when its model commits.
-#}
{% macro postgres__rudderstack_grant_to_analysts(roles) -%}
    select pg_advisory_xact_lock(hashtext('rudderstack_sessions.grant_to_analysts'));
    grant usage on schema {{ adapter.quote(this.schema) }} to {{ roles | join(', ') }};
    grant select on {{ this }} to {{ roles | join(', ') }}
{%- endmacro %}

{#-
    Spark with table access control (Databricks, or a cluster with Hive authorization): one
    role per statement, as dbt-spark's grants. Untested here: local Spark has no grants.
-#}
{% macro spark__rudderstack_grant_to_analysts(roles) -%}
    {%- for role in roles -%}
        {%- do run_query('grant select on table ' ~ this ~ ' to ' ~ adapter.quote(role)) -%}
    {%- endfor -%}
{%- endmacro %}


{#-
    Pre-hook of a mart refilled in place rather than replaced (fct_conversions): a replaced
    mart starts with no grants, so a role taken off analyst_roles loses it; this one would
    keep them. Revoke every privilege on it from every role but its owner, in the
    transaction whose post-hook grants the listed roles again. PostgreSQL; on Spark (grants
    untested here) a role taken off the list keeps such a mart until a --full-refresh.
-#}
{% macro rudderstack_revoke_kept_grants() -%}
    {%- if execute and is_incremental() -%}
        {{ return(adapter.dispatch('rudderstack_revoke_kept_grants', 'rudderstack_sessions')()) }}
    {%- endif -%}
{%- endmacro %}

{% macro default__rudderstack_revoke_kept_grants() -%}
{%- endmacro %}

{% macro postgres__rudderstack_revoke_kept_grants() -%}
    do $rudderstack_revoke$
    declare
        role_name text;
    begin
        for role_name in
            select distinct pg_get_userbyid(privilege.grantee)
            from pg_class as relation
            cross join lateral aclexplode(relation.relacl) as privilege
            where relation.oid = {{ rudderstack_sessions.sql_string(this.render()) }}::regclass
                and privilege.grantee not in (0, relation.relowner)
        loop
            execute format('revoke all on %s from %I', {{ rudderstack_sessions.sql_string(this.render()) }}, role_name);
        end loop;
    end
    $rudderstack_revoke$
{%- endmacro %}
