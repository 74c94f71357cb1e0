{#-
    var('rudderstack_conversions'), validated at compile time (README, "Conversions and their
    value"): a list of conversions, each
        event:            the event name, as in fct_events.event_name (a track); unique
        value_column:     optional; the column of the event's own table holding its value
        currency_column:  optional; the column holding the value's currency
        table:            optional; the event's own table, when RudderStack's name for it is
                          not the one rudderstack_event_table derives
    Unset (null, the default): none, except on the demo data (no rudderstack_schema or
    rudderstack_sources), whose shop's orders are its conversions (seeds/rudderstack_demo/
    order_completed.csv): a project never reads a raw table it did not name.
    Returns the conversions as {event, value_column, currency_column, table}: column names
    lower-cased (as the warehouse reports them), table derived when not given.
-#}
{% macro rudderstack_conversions() -%}
    {%- set example = "--vars '{rudderstack_conversions: [{event: Order Completed, value_column: revenue,"
        ~ " currency_column: currency}]}'" -%}
    {%- if var('rudderstack_conversions', none) is none and rudderstack_sessions.rudderstack_uses_demo_data() -%}
        {%- set value = [{'event': 'Order Completed', 'value_column': 'revenue', 'currency_column': 'currency'}] -%}
    {%- else -%}
        {%- set value = rudderstack_sessions.rudderstack_list_var('rudderstack_conversions', 'conversions', example) -%}
    {%- endif -%}
    {%- set plain = '[A-Za-z_][A-Za-z0-9_]*' -%}
    {%- set conversions, events = [], [] -%}
    {%- for item in value -%}
        {%- set where = "var 'rudderstack_conversions', conversion " ~ loop.index -%}
        {%- if item is not mapping -%}
            {{ exceptions.raise_compiler_error(where ~ " must be a mapping {event, value_column, currency_column,"
                ~ " table}, got '" ~ item ~ "'. Example: " ~ example) }}
        {%- endif -%}
        {%- set unknown = item.keys() | reject('in', ['event', 'value_column', 'currency_column', 'table']) | list -%}
        {%- if unknown -%}
            {{ exceptions.raise_compiler_error(where ~ " has unknown keys " ~ unknown | join(', ')
                ~ " (its keys: event, value_column, currency_column, table). Example: " ~ example) }}
        {%- endif -%}
        {%- set event = item.get('event') -%}
        {%- if event is not string or event | trim == '' -%}
            {{ exceptions.raise_compiler_error(where ~ ": 'event' must be a non-empty text (an event name as in"
                ~ " fct_events.event_name), got '" ~ event ~ "'. Example: " ~ example) }}
        {%- endif -%}
        {%- set where = "var 'rudderstack_conversions', conversion '" ~ event ~ "'" -%}
        {%- if event in events -%}
            {{ exceptions.raise_compiler_error(where ~ ": the event is listed twice (its conversions would be"
                ~ " counted twice); list each event once. Example: " ~ example) }}
        {%- endif -%}
        {%- do events.append(event) -%}
        {%- for key in ['value_column', 'currency_column'] if item.get(key) is not none
            and (item.get(key) is not string or not modules.re.fullmatch(plain, item.get(key))) -%}
            {{ exceptions.raise_compiler_error(where ~ ": '" ~ key ~ "' must be a plain column name (letters,"
                ~ " digits and _), got '" ~ item.get(key) ~ "'. Example: " ~ example) }}
        {%- endfor -%}
        {%- set table = item.get('table') -%}
        {%- if table is not none and (table is not string or not modules.re.fullmatch(plain, table)) -%}
            {{ exceptions.raise_compiler_error(where ~ ": 'table' must be a plain table name (letters, digits"
                ~ " and _; the schema is the source's), got '" ~ table ~ "'. Example: " ~ example) }}
        {%- endif -%}
        {%- set table = table or rudderstack_sessions.rudderstack_event_table(event) -%}
        {%- if table == '' -%}
            {{ exceptions.raise_compiler_error(where ~ ": the event name gives no table name (it has no letter or"
                ~ " digit); name its table with 'table'. Example: --vars '{rudderstack_conversions: [{event: \"!!!\","
                ~ " table: purchase}]}'") }}
        {%- endif -%}
        {%- do conversions.append({
            'event': event,
            'value_column': (item.get('value_column') or '') | lower or none,
            'currency_column': (item.get('currency_column') or '') | lower or none,
            'table': table,
        }) -%}
    {%- endfor -%}
    {{ return(conversions) }}
{%- endmacro %}


{#-
    The table RudderStack's warehouse destination writes a track event to, from its name:
    snake_case ('Order Completed' and 'orderCompleted' -> order_completed): a lower-case
    letter or digit followed by a capital starts a word, every run of characters other
    than letters and digits is one '_', trimmed at both ends; a name starting with a digit
    takes a leading '_'. Names this rule gets wrong are set with the conversion's `table`.
-#}
{% macro rudderstack_event_table(event) -%}
    {%- set name = modules.re.sub('([a-z0-9])([A-Z])', '\\1_\\2', event) -%}
    {%- set name = modules.re.sub('[^a-z0-9]+', '_', name | lower).strip('_') -%}
    {{ return('_' ~ name if name[:1] in '0123456789' and name != '' else name) }}
{%- endmacro %}


{#- The staged columns of a conversion's table (select_rudderstack_columns). -#}
{% macro rudderstack_conversion_columns(conversion) -%}
    {{ return([
        [none, 'source_name', 'source'],
        ['id', 'event_id', 'id'],
        ['received_at', 'received_at', 'timestamp'],
        ['uuid_ts', 'loaded_at', 'timestamp'],
        [conversion.value_column, 'value', 'number'],
        [conversion.currency_column, 'currency', 'string'],
    ]) }}
{%- endmacro %}


{#-
    A raw value as numeric(28,6), the same on every engine, NULL (never a failed build) when
    it is no number: a number column within 22 digits before the point (NaN, infinities and
    larger values NULL; more decimals rounded to 6 by the cast); a text column holding a
    plain decimal, an optional sign, 1 to 22 digits, optionally '.' and 1 to 6 digits
    ('12.50', '-3'; not ' 3', '1e3', '4.', '.5'); NULL for any other type. PostgreSQL 15
    has no try_cast: the pattern keeps a bad text from reaching the cast (a CASE is
    evaluated in order), and the '_' appended keeps Spark's `$` from matching before a
    final line break.
-#}
{% macro rudderstack_number_value(expression, data_type) -%}
    {%- set data_type = data_type | lower -%}
    {%- set numeric = dbt.type_numeric() -%}
    {%- if rudderstack_sessions.rudderstack_is_text_type(data_type) -%}
        {%- set pattern = "'^[+-]?[0-9]{1,22}([.][0-9]{1,6})?_$'" -%}
        {{ return("cast(case when " ~ rudderstack_sessions.rudderstack_regex_matches(expression ~ " || '_'", pattern)
            ~ " then cast(" ~ expression ~ " as " ~ numeric ~ ") end as " ~ numeric ~ ")") }}
    {%- elif modules.re.match('(u?(tiny|small|big|huge)?int(eger)?[248]?|numeric|decimal|double|float[48]?|real)\\b', data_type) -%}
        {#- The outer cast keeps the scale: PostgreSQL's CASE would drop it. #}
        {{ return("cast(case when " ~ expression ~ " > -1e22 and " ~ expression ~ " < 1e22 then cast("
            ~ expression ~ " as " ~ numeric ~ ") end as " ~ numeric ~ ")") }}
    {%- endif -%}
    {{ return("cast(null as " ~ numeric ~ ")") }}
{%- endmacro %}


{#-
    Warn (never fail) when a conversion's table is in no source, or lacks its value or
    currency column everywhere: its values would be NULL without a word. A misspelt event
    name or a table RudderStack named otherwise (set the conversion's `table`).
-#}
{% macro rudderstack_check_conversion_tables(conversions) -%}
    {%- if not execute -%}{{ return('') }}{%- endif -%}
    {%- for conversion in conversions -%}
        {%- set found, columns = [], [] -%}
        {%- for name, relation in rudderstack_sessions.rudderstack_source_relations(none, conversion.table) -%}
            {%- set existing = rudderstack_sessions.rudderstack_existing_columns(relation) -%}
            {%- if existing is not none -%}
                {%- do found.append(relation) -%}
                {%- do columns.extend(existing.keys()) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- if not found -%}
            {%- do exceptions.warn("rudderstack_conversions: no source has the table '" ~ conversion.table
                ~ "' of conversion '" ~ conversion.event ~ "': its value and currency are NULL (set its 'table'"
                ~ " if RudderStack named it otherwise).") -%}
        {%- endif -%}
        {%- for key in ['value_column', 'currency_column'] if found and conversion[key] and conversion[key] not in columns -%}
            {%- do exceptions.warn("rudderstack_conversions: table '" ~ conversion.table ~ "' of conversion '"
                ~ conversion.event ~ "' has no column '" ~ conversion[key] ~ "' in any source: it is NULL.") -%}
        {%- endfor -%}
    {%- endfor -%}
{%- endmacro %}
