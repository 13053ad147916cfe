{#- A portable median (not every warehouse has median() or percentile_cont as an aggregate): the middle row, or
    the mean of the two middle rows, of the ordered values. Ties hold equal values, so their order cannot change
    the result. Renders a whole select returning median_value (and the partition column when given). -#}
{% macro median_select(relation, value, partition_by=none) -%}
    select
        {% if partition_by %}{{ partition_by }},{% endif %}
        avg({{ value }} * 1e0) as median_value
    from (
        select
            {% if partition_by %}{{ partition_by }},{% endif %}
            {{ value }},
            row_number() over ({% if partition_by %}partition by {{ partition_by }} {% endif %}order by {{ value }}) as row_num,
            count(*) over ({% if partition_by %}partition by {{ partition_by }}{% endif %}) as row_count
        from {{ relation }}
    ) as ordered
    where
        row_num = floor((row_count + 1) / 2.0)
        or row_num = ceiling((row_count + 1) / 2.0)
    {% if partition_by %}group by {{ partition_by }}{% endif %}
{%- endmacro %}
