-- Days between one order of a customer and the customer's next one, on fixed buckets (empty ones show as zero).
with

order_lines as (
    select * from {{ ref('int_order_lines') }}
),

customer_orders as (
    select
        customer_id,
        order_key,
        min(paid_at) as paid_at
    from order_lines
    where
        line_type = 'sale'
        and customer_id is not null
    group by customer_id, order_key
),

sequenced as (
    select
        customer_id,
        order_key,
        paid_at,
        -- order_key breaks ties between orders paid in the same second, so the result never changes
        lag(paid_at) over (partition by customer_id order by paid_at, order_key) as previous_paid_at
    from customer_orders
),

intervals as (
    -- calendar days between the two payment dates: an order the same day is 0
    select
        customer_id,
        order_key,
        {{ dbt.datediff('previous_paid_at', 'paid_at', 'day') }} as days_since_previous
    from sequenced
    where previous_paid_at is not null
),

-- lower bound inclusive, upper bound exclusive, null upper = open-ended
buckets as (
    {{ literal_rows(['bucket_number', 'bucket_label', 'lower_days', 'upper_days'], [
        [1, 'same day', 0, 1],
        [2, '1-7 days', 1, 8],
        [3, '8-14 days', 8, 15],
        [4, '15-30 days', 15, 31],
        [5, '31-60 days', 31, 61],
        [6, '61-90 days', 61, 91],
        [7, '91-180 days', 91, 181],
        [8, '181-365 days', 181, 366],
        [9, '366-730 days', 366, 731],
        [10, 'over 730 days', 731, none]
    ]) }}
),

bucketed as (
    select
        buckets.bucket_number,
        count(intervals.order_key) as intervals,
        count(distinct intervals.customer_id) as customers
    from buckets
    left join intervals
        on
            buckets.lower_days <= intervals.days_since_previous
            and (buckets.upper_days is null or buckets.upper_days > intervals.days_since_previous)
    group by buckets.bucket_number
),

median as (
    {{ median_select('intervals', 'days_since_previous') }}
),

summary as (
    select
        (select count(*) from intervals) as total_intervals,
        (select avg(days_since_previous * 1e0) from intervals) as mean_days,
        (select median.median_value from median) as median_days
),

final as (
    select
        cast(buckets.bucket_number as {{ dbt.type_int() }}) as bucket_number,
        cast(buckets.bucket_label as {{ dbt.type_string() }}) as bucket_label,
        cast(buckets.lower_days as {{ dbt.type_int() }}) as lower_days,
        cast(buckets.upper_days as {{ dbt.type_int() }}) as upper_days,
        cast(bucketed.intervals as {{ dbt.type_bigint() }}) as intervals,
        cast(bucketed.customers as {{ dbt.type_bigint() }}) as customers,
        cast(
            bucketed.intervals * 1e0 / nullif(summary.total_intervals, 0) as {{ type_double() }}
        ) as share_of_intervals,
        cast(
            sum(bucketed.intervals)
                over (
                    order by buckets.bucket_number
                    rows between unbounded preceding and current row
                )
            * 1e0 / nullif(summary.total_intervals, 0) as {{ type_double() }}
        ) as cumulative_share_of_intervals,
        cast(summary.median_days as {{ type_double() }}) as median_days,
        cast(summary.mean_days as {{ type_double() }}) as mean_days
    from buckets
    inner join bucketed
        on buckets.bucket_number = bucketed.bucket_number
    cross join summary
)

select * from final
