-- Month 0 of a cohort is the month of its members' first sale: everybody is active then, and the cohorts
-- together hold every customer with a sale exactly once.
with

cohort_retention as (
    select * from {{ ref('cohort_retention') }}
),

month_zero as (
    select
        cohort_month,
        cohort_customers,
        active_customers,
        retention_rate
    from cohort_retention
    where month_number = 0
),

bad_month_zero as (
    select
        'month 0 not fully active' as problem,
        cohort_month,
        cohort_customers as actual,
        active_customers as expected
    from month_zero
    where
        active_customers != cohort_customers
        or retention_rate != 1
),

bad_rates as (
    select
        'active customers outside 0..cohort' as problem,
        cohort_month,
        active_customers as actual,
        cohort_customers as expected
    from cohort_retention
    where active_customers < 0 or active_customers > cohort_customers
),

customers_with_sales as (
    select count(distinct customer_id) as customers
    from {{ ref('int_order_lines') }}
    where
        line_type = 'sale'
        and customer_id is not null
),

cohort_total as (
    select coalesce(sum(cohort_customers), 0) as customers
    from month_zero
),

bad_total as (
    select
        'cohorts do not add up to the customers with a sale' as problem,
        cast(null as date) as cohort_month,
        cohort_total.customers as actual,
        customers_with_sales.customers as expected
    from cohort_total
    cross join customers_with_sales
    where cohort_total.customers != customers_with_sales.customers
),

final as (
    select * from bad_month_zero
    union all
    select * from bad_rates
    union all
    select * from bad_total
)

select * from final
