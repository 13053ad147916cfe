-- Every bucketed distribution counts each of its members exactly once: the buckets neither overlap nor leave gaps.
with

order_lines as (
    select * from {{ ref('int_order_lines') }}
),

sale_orders as (
    select count(distinct order_key) as orders
    from order_lines
    where line_type = 'sale'
),

customer_orders as (
    select
        customer_id,
        count(distinct order_key) as orders
    from order_lines
    where
        line_type = 'sale'
        and customer_id is not null
    group by customer_id
),

customer_totals as (
    select
        count(*) as customers,
        coalesce(sum(orders), 0) as orders
    from customer_orders
),

order_size as (
    select
        measure,
        sum(orders) as orders
    from {{ ref('order_size_distribution') }}
    group by measure
),

intervals as (
    select sum(intervals) as intervals
    from {{ ref('purchase_intervals') }}
),

signup as (
    select sum(customers) as customers
    from {{ ref('signup_to_first_order') }}
),

checks as (
    select
        {{ dbt.concat(["'order_size_distribution '", "order_size.measure"]) }} as check_name,
        order_size.orders as actual,
        sale_orders.orders as expected
    from order_size
    cross join sale_orders
    union all
    -- each customer's orders after the first are the intervals
    select
        'purchase_intervals' as check_name,
        intervals.intervals as actual,
        customer_totals.orders - customer_totals.customers as expected
    from intervals
    cross join customer_totals
    union all
    select
        'signup_to_first_order' as check_name,
        signup.customers as actual,
        customer_totals.customers as expected
    from signup
    cross join customer_totals
    union all
    select
        'customer_repeat_purchase' as check_name,
        repeat_purchase.customers as actual,
        customer_totals.customers as expected
    from {{ ref('customer_repeat_purchase') }} as repeat_purchase
    cross join customer_totals
),

final as (
    select *
    from checks
    where actual != expected
)

select * from final
