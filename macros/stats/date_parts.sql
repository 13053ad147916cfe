{#- Weekday numbering differs between warehouses (DuckDB dow 0 = Sunday, BigQuery/Spark 1 = Sunday, Snowflake
    depends on a session parameter), so the ISO weekday is counted from a known Monday with dbt.datediff. -#}

{% macro iso_day_of_week(ts) -%}
    cast(mod(mod({{ dbt.datediff("cast('1900-01-01' as date)", ts, 'day') }}, 7) + 7, 7) + 1 as {{ dbt.type_int() }})
{%- endmacro %}

{% macro hour_of_day(ts) -%}
    {#- extract(hour ...) is ANSI and behaves the same on DuckDB, Snowflake, BigQuery and Spark -#}
    cast(extract(hour from {{ ts }}) as {{ dbt.type_int() }})
{%- endmacro %}
