{#-
    var('session_engagement'), validated at compile time, with a default for every key it
    leaves out. A session is engaged when any of these holds:
      min_duration_seconds  it lasts at least this long (first to last event);
      min_views             it has at least this many page and screen views;
      events                it holds an event whose event_name is in this list.
-#}
{% macro session_engagement() -%}
    {%- set defaults = {'min_duration_seconds': 10, 'min_views': 2, 'events': []} -%}
    {%- set value = var('session_engagement') -%}
    {%- set example = "--vars '{session_engagement: {min_duration_seconds: 10, min_views: 2, events: [Order Completed]}}'" -%}
    {%- if value is none -%}{%- set value = {} -%}{%- endif -%}
    {%- if value is not mapping -%}
        {{ exceptions.raise_compiler_error(
            "var 'session_engagement' must be a mapping, got '" ~ value ~ "'. Example of a valid value: " ~ example
        ) }}
    {%- endif -%}
    {%- set unknown = value.keys() | reject('in', defaults.keys()) | list -%}
    {%- if unknown -%}
        {{ exceptions.raise_compiler_error(
            "var 'session_engagement' has unknown keys " ~ unknown | join(', ') ~ " (known: "
            ~ defaults.keys() | join(', ') ~ "). Example of a valid value: " ~ example
        ) }}
    {%- endif -%}
    {%- set settings = {} -%}
    {%- do settings.update(defaults) -%}
    {%- do settings.update(value) -%}
    {%- for key in ['min_duration_seconds', 'min_views'] -%}
        {%- set threshold = settings[key] -%}
        {%- if threshold is boolean or threshold is not number or threshold <= 0 -%}
            {{ exceptions.raise_compiler_error(
                "var 'session_engagement': '" ~ key ~ "' must be a positive number, got '" ~ threshold
                ~ "'. Example of a valid value: " ~ example
            ) }}
        {%- endif -%}
    {%- endfor -%}
    {%- set events = settings['events'] -%}
    {%- if events is string or events is mapping or events is not iterable
        or (events | reject('string') | list) -%}
        {{ exceptions.raise_compiler_error(
            "var 'session_engagement': 'events' must be a list of event names, got '" ~ events
            ~ "'. Example of a valid value: " ~ example
        ) }}
    {%- endif -%}
    {{ return(settings) }}
{%- endmacro %}

