{{ config(
    materialized='incremental',
    full_refresh=false,
    enabled=rudderstack_personal_columns() | length > 0,
) }}
{#-
    The salt of the hashed personal columns (macros/access/personal_data.sql): one random
    value, made by the first run that hashes anything and kept ever after (incremental,
    nothing added once it holds a row; full_refresh false, so --full-refresh keeps it and
    the hashes stay comparable across rebuilds). In the internal schema: analysts cannot
    read it. Drop the table to change the salt: every hash changes with it.
-#}

select {{ rudderstack_random_salt() }} as salt
{%- if is_incremental() %}
where not exists (select 1 from {{ this }})
{%- endif %}
