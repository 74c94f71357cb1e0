{#-
    Personal data (README, "Data quality and safety"). The marts carry no raw traits,
    e-mail addresses, IPs or user agents: a raw column reaches them only when a team lists
    it in event_passthrough_columns (fct_events_passthrough). A passthrough column also
    listed in var rudderstack_personal_columns reaches it hashed: the lower-case hex
    SHA-256 of `<salt>:<value as text>`, NULL staying NULL, so analysts can count and join
    on it without reading it.

    The salt is not read from an environment variable: dbt refuses DBT_ENV_SECRET_ vars
    anywhere but profiles.yml and packages.yml, and any other env var a model reads is
    written into its compiled SQL, target/ and the manifest. It is made in the warehouse
    instead, once, by the model personal_data_salt (random, in the internal schema, which
    analysts cannot read, and kept by --full-refresh), and joined where it is used: its
    value never leaves the database, so no log, manifest or compiled file holds it.
-#}

{#- Var rudderstack_personal_columns, validated: passthrough columns to hash in the marts. -#}
{% macro rudderstack_personal_columns() -%}
    {%- set example = "--vars '{event_passthrough_columns: [context_traits_email],"
        ~ " rudderstack_personal_columns: [context_traits_email]}'" -%}
    {%- set value = rudderstack_sessions.rudderstack_list_var(
        'rudderstack_personal_columns', 'passthrough column names', example) -%}
    {%- set passthrough = rudderstack_sessions.rudderstack_passthrough_columns() -%}
    {%- for column in value if column not in passthrough -%}
        {{ exceptions.raise_compiler_error(
            "var 'rudderstack_personal_columns': '" ~ column ~ "' is not in event_passthrough_columns ("
            ~ passthrough | join(', ') ~ "), and only those reach the marts. Example: " ~ example
        ) }}
    {%- endfor -%}
    {{ return(value | list) }}
{%- endmacro %}


{#- A new random salt: two random UUIDs, as text (244 random bits). -#}
{% macro rudderstack_random_salt() -%}
    {{ return(adapter.dispatch('rudderstack_random_salt', 'rudderstack_sessions')()) }}
{%- endmacro %}

{% macro default__rudderstack_random_salt() -%}
    cast(gen_random_uuid() as {{ dbt.type_string() }}) || cast(gen_random_uuid() as {{ dbt.type_string() }})
{%- endmacro %}

{% macro spark__rudderstack_random_salt() -%}
    concat(uuid(), uuid())
{%- endmacro %}


{#- The lower-case hex SHA-256 of `<salt>:<expression as text>`; NULL for NULL. -#}
{% macro rudderstack_hash_personal(expression, salt) -%}
    {{ return(adapter.dispatch('rudderstack_hash_personal', 'rudderstack_sessions')(expression, salt)) }}
{%- endmacro %}

{% macro default__rudderstack_hash_personal(expression, salt) -%}
    encode(sha256(convert_to({{ salt }} || ':' || cast({{ expression }} as {{ dbt.type_string() }}), 'UTF8')), 'hex')
{%- endmacro %}

{% macro duckdb__rudderstack_hash_personal(expression, salt) -%}
    sha256({{ salt }} || ':' || cast({{ expression }} as {{ dbt.type_string() }}))
{%- endmacro %}

{% macro spark__rudderstack_hash_personal(expression, salt) -%}
    sha2(concat({{ salt }}, ':', cast({{ expression }} as {{ dbt.type_string() }})), 256)
{%- endmacro %}
