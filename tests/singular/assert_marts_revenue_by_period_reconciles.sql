-- Every grain of revenue_by_period must add up to the same revenue, returns and net as the order lines: a line
-- lost or double-counted by a period bucket shows up here. A grain with no rows at all fails too.
{%- set period_grains = ['day', 'week', 'month', 'quarter', 'year'] %}

with

line_totals as (

    select
        sum(case when is_sale then line_revenue else 0 end) as revenue,
        -sum(case when is_return then line_revenue else 0 end) as returns,
        sum(case when is_sale or is_return then line_revenue else 0 end) as net_revenue
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
        sum(revenue) as revenue,
        sum(returns) as returns,
        sum(net_revenue) as net_revenue
    from {{ ref('revenue_by_period') }}
    group by period_grain

),

final as (

    select
        grains.period_grain,
        period_totals.revenue as period_revenue,
        line_totals.revenue as line_revenue,
        period_totals.returns as period_returns,
        line_totals.returns as line_returns,
        period_totals.net_revenue as period_net_revenue,
        line_totals.net_revenue as line_net_revenue
    from grains
    cross join line_totals
    left join period_totals
        on grains.period_grain = period_totals.period_grain
    where
        coalesce(period_totals.revenue, -1) != coalesce(line_totals.revenue, 0)
        or coalesce(period_totals.returns, -1) != coalesce(line_totals.returns, 0)
        or coalesce(period_totals.net_revenue, -1) != coalesce(line_totals.net_revenue, 0)

)

select * from final
