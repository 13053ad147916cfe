{#- The value that every non-null row of a group holds, for a column the query has already checked to agree
    within the group. Cheaper than max() of a text on DuckDB (max compares sort keys of every row; this keeps
    the first non-null value), and exact only where the rows agree: a group whose rows disagree must take its
    value another way (int_shop__events_folded computes max() again for those). -#}
{% macro shared_value(expression) -%}
    {{ return(adapter.dispatch('shared_value')(expression)) }}
{%- endmacro %}

{% macro default__shared_value(expression) -%}
    any_value({{ expression }})
{%- endmacro %}

{#- Spark's any_value keeps nulls unless told to ignore them. -#}
{% macro spark__shared_value(expression) -%}
    any_value({{ expression }}, true)
{%- endmacro %}
