{#- Helpers of the *_reference_checks macros: a check is a {column: SQL expression} mapping that a *_checked
    model both selects and re-evaluates against the rows it stores. -#}

{#- `<expression> as <column>, ...` of a {column: SQL expression} mapping, in its order. -#}
{% macro aliased_select_list(expressions) %}
    {%- set columns = [] -%}
    {%- for column, expression in expressions.items() -%}
        {%- do columns.append(expression ~ ' as ' ~ column) -%}
    {%- endfor -%}
    {{ return(columns | join(',\n        ')) }}
{% endmacro %}

{#- `(<expression>) is distinct from <stored>.<column> or ...`: a stored row whose checks now give another value. -#}
{% macro any_check_changed(expressions, stored) %}
    {%- set changed = [] -%}
    {%- for column, expression in expressions.items() -%}
        {%- do changed.append('(' ~ expression ~ ') is distinct from ' ~ stored ~ '.' ~ column) -%}
    {%- endfor -%}
    {{ return(changed | join('\n                or ')) }}
{% endmacro %}
