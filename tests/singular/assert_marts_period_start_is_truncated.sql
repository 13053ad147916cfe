-- period_start must be the first day of its period (weeks: Monday), or periods of one grain could overlap.
{%- set period_grains = ['day', 'week', 'month', 'quarter', 'year'] %}

with

periods as (

    select * from {{ ref('revenue_by_period') }}

),

final as (

    select
        period_grain,
        period_start
    from periods
    where
        {% for period_grain in period_grains %}
            (
                period_grain = '{{ period_grain }}'
                and period_start != cast({{ dbt.date_trunc(period_grain, 'period_start') }} as date)
            )
            {% if not loop.last %}or{% endif %}
        {% endfor %}

)

select * from final
