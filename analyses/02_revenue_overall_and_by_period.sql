-- Case study question 2: how much revenue overall, and per year, quarter and month? One 'overall' row (the sum
-- of the yearly rows) followed by every year, quarter and month with its share of the total and its change
-- against the previous period of the same grain.
with

revenue_by_period as (
    select * from {{ ref('revenue_by_period') }}
),

periods as (
    select
        period_grain,
        period_start,
        revenue,
        returns,
        net_revenue,
        orders,
        customers,
        new_customers,
        avg_order_value
    from revenue_by_period
    where period_grain in ('year', 'quarter', 'month')
),

overall as (
    select
        'overall' as period_grain,
        min(period_start) as period_start,
        sum(revenue) as revenue,
        sum(returns) as returns,
        sum(net_revenue) as net_revenue,
        sum(orders) as orders,
        -- customers are not additive over years; new customers are (each is new exactly once)
        sum(new_customers) as customers,
        sum(new_customers) as new_customers,
        sum(revenue) / nullif(sum(orders), 0) as avg_order_value
    from periods
    where period_grain = 'year'
),

all_rows as (
    select * from overall
    union all
    select * from periods
),

total as (
    select revenue as total_revenue
    from overall
),

final as (
    select
        all_rows.period_grain,
        all_rows.period_start,
        all_rows.revenue,
        all_rows.returns,
        all_rows.net_revenue,
        all_rows.orders,
        all_rows.customers,
        all_rows.new_customers,
        all_rows.avg_order_value,
        all_rows.revenue / nullif(total.total_revenue, 0) as share_of_total_revenue,
        all_rows.revenue
        - lag(all_rows.revenue) over (
            partition by all_rows.period_grain order by all_rows.period_start
        ) as revenue_change_vs_previous_period
    from all_rows
    cross join total
)

select * from final
order by
    case period_grain when 'overall' then 0 when 'year' then 1 when 'quarter' then 2 else 3 end,
    period_start
