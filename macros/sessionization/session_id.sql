{#-
    Deterministic session ids: an md5 over text that every engine renders the same
    way, so the same input gives the same id on DuckDB, PostgreSQL and Spark, and in
    full and incremental runs. parts: SQL expressions (text or bigint), joined by '|'.
    SDK sessions:     session_id_hash(["'sdk'", actor_id, sdk_session_id])
    derived sessions: session_id_hash(["'derived'", actor_id, epoch microseconds of the start])
-#}
{% macro session_id_hash(parts) -%}
    {%- set texts = [] -%}
    {%- for part in parts -%}
        {%- do texts.append("coalesce(cast(" ~ part ~ " as " ~ dbt.type_string() ~ "), '')") -%}
        {%- if not loop.last -%}
            {%- do texts.append("'|'") -%}
        {%- endif -%}
    {%- endfor -%}
    {{ dbt.hash(dbt.concat(texts)) }}
{%- endmacro %}
