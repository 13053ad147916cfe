{#- A money total as the marts' contracts declare it, decimal(38, 3) on every engine: a sum of decimal(18, 3)
    line revenue is decimal(38, 3) on DuckDB but decimal(28, 3) on Spark, which widens a sum by 10 digits. -#}
{% macro money(expression) -%}
    cast({{ expression }} as decimal(38, 3))
{%- endmacro %}
