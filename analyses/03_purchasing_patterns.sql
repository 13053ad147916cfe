-- Case study question 3: what are the customers' purchasing patterns? The headline figures of the patterns
-- marts as one (topic, metric, value) list; the marts themselves hold the full distributions. Works for both
-- sources (the sign-up metric is null for online_retail, which has no accounts).
with

repeat_purchase as (
    select * from {{ ref('customer_repeat_purchase') }}
),

intervals as (
    select * from {{ ref('purchase_intervals') }}
),

order_sizes as (
    select * from {{ ref('order_size_distribution') }}
),

hour_weekday as (
    select * from {{ ref('sales_by_hour_weekday') }}
),

cohorts as (
    select * from {{ ref('cohort_retention') }}
),

signup as (
    select * from {{ ref('signup_to_first_order') }}
),

weekday_totals as (
    select
        day_name,
        sum(orders) as orders,
        row_number() over (order by sum(orders) desc, min(day_of_week)) as busiest
    from hour_weekday
    group by day_name
),

hour_totals as (
    select
        hour_of_day,
        sum(orders) as orders,
        row_number() over (order by sum(orders) desc, hour_of_day) as busiest
    from hour_weekday
    group by hour_of_day
),

metrics as (
    select
        'loyalty' as topic,
        'repeat_purchase_rate' as metric,
        repeat_purchase_rate as metric_value,
        'share of customers with two or more orders' as note
    from repeat_purchase
    union all
    select
        'loyalty' as topic,
        'avg_orders_per_customer' as metric,
        avg_orders_per_customer as metric_value,
        'orders with a sale per customer' as note
    from repeat_purchase
    union all
    select
        'loyalty' as topic,
        'repeat_revenue_share' as metric,
        repeat_revenue_share as metric_value,
        'share of customer revenue from repeat customers' as note
    from repeat_purchase
    union all
    select
        'timing' as topic,
        'median_days_between_orders' as metric,
        max(median_days) as metric_value,
        'median calendar days from an order to the same customer''s next' as note
    from intervals
    union all
    select
        'timing' as topic,
        'median_days_signup_to_first_order' as metric,
        max(median_days) as metric_value,
        'null when the source has no sign-up dates' as note
    from signup
    union all
    select
        'basket' as topic,
        {{ dbt.concat(["'median_'", "measure"]) }} as metric,
        max(measure_median) as metric_value,
        'median over orders with a sale' as note
    from order_sizes
    group by measure
    union all
    select
        'when' as topic,
        'busiest_weekday_orders' as metric,
        orders as metric_value,
        day_name as note
    from weekday_totals
    where busiest = 1
    union all
    select
        'when' as topic,
        'busiest_hour_orders' as metric,
        orders as metric_value,
        {{ dbt.concat(["'hour '", "cast(hour_of_day as " ~ dbt.type_string() ~ ")"]) }} as note
    from hour_totals
    where busiest = 1
    union all
    select
        'retention' as topic,
        'avg_month_1_retention' as metric,
        avg(retention_rate) as metric_value,
        'mean over cohorts of the share buying again the month after their first' as note
    from cohorts
    where month_number = 1
),

final as (
    select
        topic,
        metric,
        metric_value,
        note
    from metrics
)

select * from final
order by topic, metric
