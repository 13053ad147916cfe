{#- Exact schema names (staging, intermediate, marts) instead of dbt's <target>_<custom> default:
    BI tools and scripts read marts.<table> (see docs/interface.md). -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
