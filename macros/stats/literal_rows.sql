{#- A small constant table (bucket bounds, weekday names, digits) as `select ... union all select ...`:
    VALUES lists are not portable (BigQuery has none), a union of selects runs everywhere. -#}
{% macro literal_rows(columns, rows) -%}
    {%- set rendered = [] -%}
    {%- for row in rows -%}
        {%- set values = [] -%}
        {%- for value in row -%}
            {%- if value is none -%}
                {%- set literal = 'null' -%}
            {%- elif value is string -%}
                {%- set literal = "'" ~ value ~ "'" -%}
            {%- else -%}
                {%- set literal = value | string -%}
            {%- endif -%}
            {%- do values.append(literal ~ ' as ' ~ columns[loop.index0]) -%}
        {%- endfor -%}
        {%- do rendered.append('select ' ~ values | join(', ')) -%}
    {%- endfor -%}
    {{ rendered | join('\n    union all\n    ') }}
{%- endmacro %}
