-- The floor, outputs shared by both sources: revenue by month, item rankings and RFM from table lines
-- (order_key, customer_id, item_id, line_type, is_product, quantity, unit_price, paid_at).

-- revenue is gross product sales, returns product returns: postage, fees, vouchers, free add-ons are not products
create or replace table revenue_by_month as
select
    date_trunc('month', paid_at) as month_start,
    sum(quantity * unit_price) filter (where line_type = 'sale') as revenue,
    -sum(quantity * unit_price) filter (where line_type = 'return') as returns,
    count(distinct order_key) filter (where line_type = 'sale') as orders,
    count(distinct customer_id) filter (where line_type = 'sale') as customers
from lines
where line_type in ('sale', 'return') and is_product
group by 1;

-- Real products only, ranked by NET units, ties by item id (as text, like the marts).
create or replace table item_rankings as
with totals as (
    select
        item_id,
        coalesce(sum(quantity) filter (where line_type = 'sale'), 0) as units_sold,
        -coalesce(sum(quantity) filter (where line_type = 'return'), 0) as units_returned,
        sum(quantity * unit_price) as net_revenue,
        count(distinct customer_id) filter (where line_type = 'sale') as buyers
    from lines
    where is_product and line_type in ('sale', 'return')
    group by 1
)

select
    *,
    units_sold - units_returned as net_units,
    row_number() over (order by units_sold - units_returned desc, item_id asc) as rank_by_units,
    row_number() over (order by net_revenue desc, item_id asc) as rank_by_revenue
from totals;

create or replace table customer_rfm as
with as_of as (
    select cast(max(paid_at) as date) + 1 as as_of_date
    from lines
    where line_type = 'sale'
),

per_customer as (
    select
        customer_id,
        max(paid_at) as last_order_at,
        count(distinct order_key) as frequency,
        sum(quantity * unit_price) as monetary
    from lines
    where line_type = 'sale' and is_product and customer_id is not null
    group by 1
),

measured as (
    select
        per_customer.*,
        date_diff('day', cast(per_customer.last_order_at as date), as_of.as_of_date) as recency_days
    from per_customer cross join as_of
),

ranked as (
    select
        *,
        rank() over (order by recency_days desc) as r_rank,
        rank() over (order by frequency) as f_rank,
        rank() over (order by monetary) as m_rank,
        count(*) over () as n
    from measured
)

-- Quintile scores where equal values share a score: 1 + floor(5 * percent_rank), capped at 5.
select
    customer_id,
    recency_days,
    frequency,
    monetary,
    least(5, 1 + floor(5 * (r_rank - 1) / greatest(n - 1, 1))) as r_score,
    least(5, 1 + floor(5 * (f_rank - 1) / greatest(n - 1, 1))) as f_score,
    least(5, 1 + floor(5 * (m_rank - 1) / greatest(n - 1, 1))) as m_score
from ranked;
