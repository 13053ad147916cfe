{#- A portable median (not every warehouse has median() or percentile_cont as an aggregate): the middle value, or
    the mean of the two middle values, of the ordered values. The values are counted first and the distinct
    values ordered with their running count, which finds the middle without sorting every row: sorting the 20M
    order measures of order_size_distribution at scale 100 was most of its time. Distinct values have one order,
    so the result is the same on every engine. Renders a whole select returning median_value (and the partition
    column when given). -#}
{% macro median_select(relation, value, partition_by=none) -%}
    {%- set partition = 'partition by ' ~ partition_by if partition_by else '' -%}
    {%- set middle_positions = ['floor((row_count + 1) / 2.0)', 'ceiling((row_count + 1) / 2.0)'] -%}
    select
        {% if partition_by %}{{ partition_by }},{% endif %}
        avg({{ value }} * 1e0) as median_value
    from (
        select
            {% if partition_by %}{{ partition_by }},{% endif %}
            {{ value }},
            value_rows,
            sum(value_rows) over (
                {{ partition }} order by {{ value }} rows between unbounded preceding and current row
            ) as rows_through,
            sum(value_rows) over ({{ partition }}) as row_count
        from (
            select
                {% if partition_by %}{{ partition_by }},{% endif %}
                {{ value }},
                count(*) as value_rows
            from {{ relation }}
            group by {% if partition_by %}{{ partition_by }}, {% endif %}{{ value }}
        ) as value_counts
    ) as ordered
    -- the value whose rows hold a middle position (rows_through - value_rows + 1 .. rows_through)
    where
        {%- for position in middle_positions %}
            {% if not loop.first %}or {% endif %}({{ position }} > rows_through - value_rows and {{ position }} <= rows_through)
        {%- endfor %}
    {% if partition_by %}group by {{ partition_by }}{% endif %}
{%- endmacro %}
