-- The 7 x 24 grid is complete and adds up to every order with a sale and all revenue: no order falls outside it.
with

order_lines as (
    select * from {{ ref('int_order_lines') }}
),

grid as (
    select
        count(*) as slots,
        sum(orders) as orders,
        sum(revenue) as revenue
    from {{ ref('sales_by_hour_weekday') }}
),

expected as (
    select
        count(distinct order_key) as orders,
        coalesce(sum(line_revenue), 0) as revenue
    from order_lines
    where line_type = 'sale'
),

final as (
    select
        grid.slots,
        grid.orders,
        expected.orders as expected_orders,
        grid.revenue,
        expected.revenue as expected_revenue
    from grid
    cross join expected
    where
        grid.slots != 168
        or grid.orders != expected.orders
        or grid.revenue != expected.revenue
)

select * from final
