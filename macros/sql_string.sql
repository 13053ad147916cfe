{#- A SQL string literal of any text (a path, a message), quoted the way the engine reads it back unchanged: SQL
    doubles a quote; Spark reads a backslash as an escape and two adjacent literals as one string, so it escapes
    both the backslash and the quote instead. -#}
{% macro sql_string(value) -%}
    {{ return(adapter.dispatch('sql_string')(value | string)) }}
{%- endmacro %}

{% macro default__sql_string(value) -%}
    '{{ value | replace("'", "''") }}'
{%- endmacro %}

{% macro spark__sql_string(value) -%}
    '{{ value | replace("\\", "\\\\") | replace("'", "\\'") }}'
{%- endmacro %}
