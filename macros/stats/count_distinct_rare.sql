{#- count(distinct <expression>) for an expression that is null on nearly every row (a rare value worth
    counting). DuckDB runs a count(distinct) of a grouped aggregate through a second hash table of every
    (group, value) pair, nulls included; collecting the few non-null values (a filtered list: an unfiltered one
    holds a null for every row) in a list per group and counting
    the distinct ones gives the same number for a fraction of the work (the event fold at scale 100: one
    landing month in 17.7 s instead of 26.9 s). Other adapters keep count(distinct). -#}
{% macro count_distinct_rare(expression) -%}
    {{ return(adapter.dispatch('count_distinct_rare')(expression)) }}
{%- endmacro %}

{% macro default__count_distinct_rare(expression) -%}
    count(distinct {{ expression }})
{%- endmacro %}

{% macro duckdb__count_distinct_rare(expression) -%}
    coalesce(len(list_distinct(list({{ expression }}) filter (where ({{ expression }}) is not null))), 0)
{%- endmacro %}
