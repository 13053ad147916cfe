{#- The reference date for recency, rendered as a SQL date expression.
    var('as_of_date') when set (a fixed, reproducible cut-off); otherwise the day after the last sale's payment
    date in int_order_lines, so the same data always gives the same recency (never the wall clock). -#}
{% macro as_of_date() -%}
    {#- ref() is called on every render so the DAG (and unit-test inputs) do not depend on the var. -#}
    {%- set order_lines = ref('int_order_lines') -%}
    {%- set fixed_date = validated_date('as_of_date', allow_null=true) -%}
    {%- if fixed_date is not none -%}
        cast('{{ fixed_date }}' as date)
    {%- else -%}
        (
            select cast({{ dbt.dateadd('day', 1, 'cast(max(paid_at) as date)') }} as date)
            from {{ order_lines }}
            where line_type = 'sale'
        )
    {%- endif -%}
{%- endmacro %}
