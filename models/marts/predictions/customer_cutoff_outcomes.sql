-- What each customer scored at a backtest cutoff actually did in the H days that followed: the label the
-- propensity model learns at the train cutoff and is judged on at the evaluate cutoff.
with

features as (

    select * from {{ ref('customer_cutoff_features') }}

),

cutoffs as (

    select * from {{ ref('prediction_cutoffs') }}
    where outcome_end_date is not null

),

sales as (

    select
        customer_id,
        order_key,
        line_revenue,
        cast(paid_at as date) as paid_date
    from {{ ref('fct_order_lines') }}
    where line_class = 'product_sale' and customer_id is not null

),

window_sales as (

    select
        cutoffs.cutoff_date,
        sales.customer_id,
        count(distinct sales.order_key) as orders,
        sum(sales.line_revenue) as revenue
    from sales
    inner join cutoffs
        on
            sales.paid_date >= cutoffs.cutoff_date
            and sales.paid_date < cutoffs.outcome_end_date
    group by cutoffs.cutoff_date, sales.customer_id

),

final as (

    select
        cutoffs.cutoff_role,
        features.cutoff_date,
        features.customer_id,
        cutoffs.outcome_end_date,
        coalesce(window_sales.orders, 0) > 0 as purchased,
        cast(coalesce(window_sales.orders, 0) as {{ dbt.type_int() }}) as orders,
        cast(coalesce(window_sales.revenue, 0) as decimal(38, 3)) as revenue
    from features
    inner join cutoffs
        on features.cutoff_date = cutoffs.cutoff_date
    left join window_sales
        on
            features.cutoff_date = window_sales.cutoff_date
            and features.customer_id = window_sales.customer_id

)

select * from final
