-- Monthly cohorts by the month of a customer's first sale; every cohort gets every month up to the last month
-- with sales (zeros included), so the retention triangle has no holes.
with

order_lines as (
    select * from {{ ref('int_order_lines') }}
),

customer_sales as (
    select
        customer_id,
        line_revenue,
        cast({{ dbt.date_trunc('month', 'paid_at') }} as date) as activity_month
    from order_lines
    where
        line_type = 'sale'
        and customer_id is not null
),

cohorts as (
    select
        customer_id,
        min(activity_month) as cohort_month
    from customer_sales
    group by customer_id
),

cohort_sizes as (
    select
        cohort_month,
        count(*) as cohort_customers
    from cohorts
    group by cohort_month
),

activity as (
    select
        cohorts.cohort_month,
        {{ dbt.datediff('cohorts.cohort_month', 'customer_sales.activity_month', 'month') }} as month_number,
        count(distinct customer_sales.customer_id) as active_customers,
        sum(customer_sales.line_revenue) as revenue
    from customer_sales
    inner join cohorts
        on customer_sales.customer_id = cohorts.customer_id
    group by
        cohorts.cohort_month,
        {{ dbt.datediff('cohorts.cohort_month', 'customer_sales.activity_month', 'month') }}
),

last_month as (
    select max(activity_month) as last_activity_month
    from customer_sales
),

digits as (
    {{ literal_rows(['digit'], [[0], [1], [2], [3], [4], [5], [6], [7], [8], [9]]) }}
),

month_numbers as (
    -- 0..999 months is far beyond any shop history
    select hundreds.digit * 100 + tens.digit * 10 + units.digit as month_number
    from digits as hundreds
    cross join digits as tens
    cross join digits as units
),

cohort_months as (
    select
        cohort_sizes.cohort_month,
        cohort_sizes.cohort_customers,
        month_numbers.month_number
    from cohort_sizes
    cross join last_month
    cross join month_numbers
    where
        month_numbers.month_number
        <= {{ dbt.datediff('cohort_sizes.cohort_month', 'last_month.last_activity_month', 'month') }}
),

final as (
    select
        cast(cohort_months.cohort_month as date) as cohort_month,
        cast(cohort_months.month_number as {{ dbt.type_int() }}) as month_number,
        cast({{ dbt.dateadd('month', 'cohort_months.month_number', 'cohort_months.cohort_month') }} as date)
            as activity_month,
        cast(cohort_months.cohort_customers as {{ dbt.type_bigint() }}) as cohort_customers,
        cast(coalesce(activity.active_customers, 0) as {{ dbt.type_bigint() }}) as active_customers,
        cast(
            coalesce(activity.active_customers, 0) * 1e0 / cohort_months.cohort_customers as {{ type_double() }}
        ) as retention_rate,
        cast(coalesce(activity.revenue, 0) as decimal(38, 3)) as revenue
    from cohort_months
    left join activity
        on
            cohort_months.cohort_month = activity.cohort_month
            and cohort_months.month_number = activity.month_number
)

select * from final
