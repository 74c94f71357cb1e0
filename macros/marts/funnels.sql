{#-
    var('rudderstack_funnels'), validated at compile time: a list of funnels, each
        name:                       unique, non-empty
        scope:                      'session' or 'user' (the stitched user, else the actor)
        steps:                      ordered, at least one; each an event name (as in
                                    fct_events.event_name) or a mapping of
                                    {name (optional label), event_name, event_type, page_path}
                                    whose given keys must all match
        conversion_window_minutes:  optional; every later step within this long of step 1
    Returns the funnels with each step normalised to {name, conditions: {column: value}}.
-#}
{% macro rudderstack_funnels() -%}
    {%- set value = var('rudderstack_funnels') -%}
    {%- set example = "--vars '{rudderstack_funnels: [{name: checkout, scope: session, steps: [Product Viewed, Order Completed],"
        ~ " conversion_window_minutes: 60}]}'" -%}
    {%- set step_keys = ['event_name', 'event_type', 'page_path'] -%}
    {%- if value is none -%}{{ return([]) }}{%- endif -%}
    {%- if value is string or value is mapping or value is not iterable -%}
        {{ exceptions.raise_compiler_error(
            "var 'rudderstack_funnels' must be a list of funnels, got '" ~ value ~ "'. Example of a valid value: " ~ example) }}
    {%- endif -%}
    {%- set funnels = [] -%}
    {%- set names = [] -%}
    {%- for funnel in value -%}
        {%- set where = "var 'rudderstack_funnels', funnel " ~ loop.index -%}
        {%- if funnel is not mapping -%}
            {{ exceptions.raise_compiler_error(where ~ ": each funnel must be a mapping, got '" ~ funnel
                ~ "'. Example of a valid value: " ~ example) }}
        {%- endif -%}
        {%- set unknown = funnel.keys() | reject('in', ['name', 'scope', 'steps', 'conversion_window_minutes']) | list -%}
        {%- if unknown -%}
            {{ exceptions.raise_compiler_error(where ~ ": unknown keys " ~ unknown | join(', ')
                ~ " (known: name, scope, steps, conversion_window_minutes). Example of a valid value: " ~ example) }}
        {%- endif -%}
        {%- set name = funnel.get('name') -%}
        {%- if name is not string or name | trim == '' -%}
            {{ exceptions.raise_compiler_error(where ~ ": 'name' must be a non-empty text, got '" ~ name
                ~ "'. Example of a valid value: " ~ example) }}
        {%- endif -%}
        {%- set where = "var 'rudderstack_funnels', funnel '" ~ name ~ "'" -%}
        {%- if name in names -%}
            {{ exceptions.raise_compiler_error(where ~ ": the name is used twice; funnel names must be unique."
                ~ " Example of a valid value: " ~ example) }}
        {%- endif -%}
        {%- do names.append(name) -%}
        {%- if funnel.get('scope') not in ['session', 'user'] -%}
            {{ exceptions.raise_compiler_error(where ~ ": 'scope' must be 'session' or 'user', got '"
                ~ funnel.get('scope') ~ "'. Example of a valid value: " ~ example) }}
        {%- endif -%}
        {%- set window = funnel.get('conversion_window_minutes') -%}
        {%- if window is not none and (window is boolean or window is not number or window <= 0) -%}
            {{ exceptions.raise_compiler_error(where ~ ": 'conversion_window_minutes' must be a positive number"
                ~ " of minutes (or left out for no window), got '" ~ window ~ "'. Example of a valid value: " ~ example) }}
        {%- endif -%}
        {%- set steps = funnel.get('steps') -%}
        {%- if steps is none or steps is string or steps is mapping or steps is not iterable or steps | length == 0 -%}
            {{ exceptions.raise_compiler_error(where ~ ": 'steps' must be a list of at least one step (event"
                ~ " names), got '" ~ steps ~ "'. Example of a valid value: " ~ example) }}
        {%- endif -%}
        {%- set normalised = [] -%}
        {%- for step in steps -%}
            {%- if step is string and step != '' -%}
                {%- do normalised.append({'name': step, 'conditions': {'event_name': step}}) -%}
            {%- elif step is mapping and (step.keys() | select('in', step_keys) | list)
                and not (step.keys() | reject('in', step_keys + ['name']) | list)
                and not (step.values() | reject('string') | list) -%}
                {%- set conditions = {} -%}
                {%- for key in step_keys if key in step -%}{%- do conditions.update({key: step[key]}) -%}{%- endfor -%}
                {%- set label = step.get('name') or (conditions.values() | join(' ')) -%}
                {%- do normalised.append({'name': label, 'conditions': conditions}) -%}
            {%- else -%}
                {{ exceptions.raise_compiler_error(where ~ ": step " ~ loop.index ~ " must be an event name or a"
                    ~ " mapping of event_name / event_type / page_path (and an optional name), got '" ~ step
                    ~ "'. Example of a valid value: " ~ example) }}
            {%- endif -%}
        {%- endfor -%}
        {%- do funnels.append({
            'name': name, 'scope': funnel.scope, 'steps': normalised,
            'window_microseconds': none if window is none else (window * 60 * 1000000) | round | int,
        }) -%}
    {%- endfor -%}
    {{ return(funnels) }}
{%- endmacro %}


{#- SQL condition: the event (columns of fct_events) matches the step. -#}
{% macro rudderstack_funnel_step_matches(step) -%}
    {%- for column, value in step.conditions.items() -%}
        {{ column }} = {{ rudderstack_sessions.sql_string(value) }}{{ ' and ' if not loop.last }}
    {%- endfor -%}
{%- endmacro %}
