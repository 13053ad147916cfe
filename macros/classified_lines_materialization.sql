{#- How a model of one row per raw line with many derived flags is materialized. DuckDB: a view, so each
    reader scans the staged table once instead of the lines being written a second time. Spark: a table, since
    Spark's optimizer inlines the view's expressions into every reader and took more than ten minutes to plan
    int_online_retail__dq_issues over the view of a 60-line file. -#}
{% macro classified_lines_materialization() %}
    {{ return(adapter.dispatch('classified_lines_materialization')()) }}
{% endmacro %}

{% macro default__classified_lines_materialization() %}
    {{ return('view') }}
{% endmacro %}

{% macro spark__classified_lines_materialization() %}
    {{ return('table') }}
{% endmacro %}
