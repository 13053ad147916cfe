-- Every grain of revenue_by_period must add up to the same statement as the order lines: a line lost or
-- double-counted by a period bucket shows up here, and so does a total that is not the sum of every money line.
-- A grain with no rows at all fails too, unless there is no order line at all (a header-only landing).
{%- set period_grains = ['day', 'week', 'month', 'quarter', 'year'] %}
{%- set measures = ['revenue', 'returns', 'net_revenue', 'shipping_revenue', 'adjustments', 'total'] %}

with

line_totals as (

    select
        sum(case when line_class = 'product_sale' then line_revenue else 0 end) as revenue,
        -sum(case when line_class = 'product_return' then line_revenue else 0 end) as returns,
        sum(case when line_class in ('product_sale', 'product_return') then line_revenue else 0 end) as net_revenue,
        sum(case when line_class = 'shipping' then line_revenue else 0 end) as shipping_revenue,
        sum(case when line_class = 'adjustment' then line_revenue else 0 end) as adjustments,
        sum(case when line_class != 'unpaid' then line_revenue else 0 end) as total,
        count(*) as order_lines
    from {{ ref('fct_order_lines') }}

),

grains as (

    {% for period_grain in period_grains %}
        select '{{ period_grain }}' as period_grain
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

period_totals as (

    select
        period_grain,
        {% for measure in measures %}
            sum({{ measure }}) as {{ measure }}{% if not loop.last %},{% endif %}
        {% endfor %}
    from {{ ref('revenue_by_period') }}
    group by period_grain

),

final as (

    select
        grains.period_grain,
        {% for measure in measures %}
            period_totals.{{ measure }} as period_{{ measure }},
            line_totals.{{ measure }} as line_{{ measure }}{% if not loop.last %},{% endif %}
        {% endfor %}
    from grains
    cross join line_totals
    left join period_totals
        on grains.period_grain = period_totals.period_grain
    where
        {% for measure in measures %}
            coalesce(period_totals.{{ measure }}, case when line_totals.order_lines = 0 then 0 else -1 end)
            != coalesce(line_totals.{{ measure }}, 0)
            {% if not loop.last %}or{% endif %}
        {% endfor %}

)

select * from final
