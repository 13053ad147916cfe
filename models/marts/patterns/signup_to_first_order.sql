-- How long new accounts take to buy. online_retail has no accounts (signed_up_at is null): all of its customers
-- land in the 'sign-up date unknown' bucket and the median is null, instead of the model failing.
with

order_lines as (
    select * from {{ ref('int_order_lines') }}
),

customers as (
    select * from {{ ref('int_customers') }}
),

first_orders as (
    select
        customer_id,
        min(paid_at) as first_order_at
    from order_lines
    where
        line_type = 'sale'
        and customer_id is not null
    group by customer_id
),

customer_lags as (
    select
        first_orders.customer_id,
        case
            when customers.signed_up_at is not null
                then {{ dbt.datediff('customers.signed_up_at', 'first_orders.first_order_at', 'day') }}
        end as days_to_first_order
    from first_orders
    left join customers
        on first_orders.customer_id = customers.customer_id
),

-- lower bound inclusive, upper bound exclusive; bucket 0 has no bounds (unknown), bucket 1 is open below
buckets as (
    {{ literal_rows(['bucket_number', 'bucket_label', 'lower_days', 'upper_days'], [
        [0, 'sign-up date unknown', none, none],
        [1, 'before sign-up', none, 0],
        [2, 'same day', 0, 1],
        [3, '1-7 days', 1, 8],
        [4, '8-30 days', 8, 31],
        [5, '31-90 days', 31, 91],
        [6, '91-180 days', 91, 181],
        [7, '181-365 days', 181, 366],
        [8, '366-730 days', 366, 731],
        [9, 'over 730 days', 731, none]
    ]) }}
),

bucketed as (
    select
        buckets.bucket_number,
        count(customer_lags.customer_id) as customers
    from buckets
    left join customer_lags
        on
            (buckets.bucket_number = 0 and customer_lags.days_to_first_order is null)
            or (
                buckets.bucket_number > 0
                and customer_lags.days_to_first_order is not null
                and (buckets.lower_days is null or buckets.lower_days <= customer_lags.days_to_first_order)
                and (buckets.upper_days is null or buckets.upper_days > customer_lags.days_to_first_order)
            )
    group by buckets.bucket_number
),

known as (
    select
        customer_id,
        days_to_first_order
    from customer_lags
    where days_to_first_order is not null
),

median as (
    {{ median_select('known', 'days_to_first_order') }}
),

summary as (
    select
        (select count(*) from customer_lags) as total_customers,
        (select avg(days_to_first_order * 1e0) from known) as mean_days,
        (select median.median_value from median) as median_days
),

final as (
    select
        cast(buckets.bucket_number as {{ dbt.type_int() }}) as bucket_number,
        cast(buckets.bucket_label as {{ dbt.type_string() }}) as bucket_label,
        cast(buckets.lower_days as {{ dbt.type_int() }}) as lower_days,
        cast(buckets.upper_days as {{ dbt.type_int() }}) as upper_days,
        cast(bucketed.customers as {{ dbt.type_bigint() }}) as customers,
        cast(
            bucketed.customers * 1e0 / nullif(summary.total_customers, 0) as {{ type_double() }}
        ) as share_of_customers,
        cast(summary.median_days as {{ type_double() }}) as median_days,
        cast(summary.mean_days as {{ type_double() }}) as mean_days
    from buckets
    inner join bucketed
        on buckets.bucket_number = bucketed.bucket_number
    cross join summary
)

select * from final
