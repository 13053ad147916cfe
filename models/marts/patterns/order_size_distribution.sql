-- Two distributions over the same orders (units per order, order value), each on a fixed list of buckets so
-- that empty buckets show as zero and two builds always have the same rows. The unit buckets reach 1001+
-- because online_retail is a wholesaler (median basket about 145 units) while the shop sells 1-3 units.
with

order_lines as (
    select * from {{ ref('int_order_lines') }}
),

sale_orders as (
    select
        order_key,
        sum(quantity) as units,
        sum(line_revenue) as revenue
    from order_lines
    where line_type = 'sale'
    group by order_key
),

order_measures as (
    select
        'units_per_order' as measure,
        order_key,
        cast(units as decimal(38, 3)) as measure_value,
        revenue
    from sale_orders
    union all
    select
        'order_value' as measure,
        order_key,
        cast(revenue as decimal(38, 3)) as measure_value,
        revenue
    from sale_orders
),

-- lower bound inclusive, upper bound exclusive, null upper = open-ended
buckets as (
    {{ literal_rows(['measure', 'bucket_number', 'bucket_label', 'lower_bound', 'upper_bound'], [
        ['units_per_order', 1, '1', 1, 2],
        ['units_per_order', 2, '2', 2, 3],
        ['units_per_order', 3, '3', 3, 4],
        ['units_per_order', 4, '4', 4, 5],
        ['units_per_order', 5, '5', 5, 6],
        ['units_per_order', 6, '6-10', 6, 11],
        ['units_per_order', 7, '11-20', 11, 21],
        ['units_per_order', 8, '21-50', 21, 51],
        ['units_per_order', 9, '51-100', 51, 101],
        ['units_per_order', 10, '101-250', 101, 251],
        ['units_per_order', 11, '251-500', 251, 501],
        ['units_per_order', 12, '501-1000', 501, 1001],
        ['units_per_order', 13, '1001+', 1001, none],
        ['order_value', 1, '0 - <10', 0, 10],
        ['order_value', 2, '10 - <25', 10, 25],
        ['order_value', 3, '25 - <50', 25, 50],
        ['order_value', 4, '50 - <100', 50, 100],
        ['order_value', 5, '100 - <250', 100, 250],
        ['order_value', 6, '250 - <500', 250, 500],
        ['order_value', 7, '500 - <1000', 500, 1000],
        ['order_value', 8, '1000 - <2500', 1000, 2500],
        ['order_value', 9, '2500 - <5000', 2500, 5000],
        ['order_value', 10, '5000+', 5000, none]
    ]) }}
),

-- one row per measure and value: the buckets are range-joined to the distinct values, not to every order
measure_values as (
    select
        measure,
        measure_value,
        count(*) as orders,
        sum(revenue) as revenue
    from order_measures
    group by measure, measure_value
),

bucketed as (
    select
        buckets.measure,
        buckets.bucket_number,
        coalesce(sum(measure_values.orders), 0) as orders,
        sum(measure_values.revenue) as revenue
    from buckets
    left join measure_values
        on
            buckets.measure = measure_values.measure
            and buckets.lower_bound <= measure_values.measure_value
            and (buckets.upper_bound is null or buckets.upper_bound > measure_values.measure_value)
    group by buckets.measure, buckets.bucket_number
),

medians as (
    {{ median_select('order_measures', 'measure_value', partition_by='measure') }}
),

totals as (
    select
        measure,
        sum(orders) as total_orders
    from measure_values
    group by measure
),

final as (
    select
        cast(buckets.measure as {{ dbt.type_string() }}) as measure,
        cast(buckets.bucket_number as {{ dbt.type_int() }}) as bucket_number,
        cast(buckets.bucket_label as {{ dbt.type_string() }}) as bucket_label,
        cast(buckets.lower_bound as decimal(18, 3)) as lower_bound,
        cast(buckets.upper_bound as decimal(18, 3)) as upper_bound,
        cast(bucketed.orders as {{ dbt.type_bigint() }}) as orders,
        cast(coalesce(bucketed.revenue, 0) as decimal(38, 3)) as revenue,
        cast(bucketed.orders * 1e0 / nullif(totals.total_orders, 0) as {{ type_double() }}) as share_of_orders,
        cast(
            sum(bucketed.orders) over (
                partition by buckets.measure
                order by buckets.bucket_number
                rows between unbounded preceding and current row
            ) * 1e0 / nullif(totals.total_orders, 0) as {{ type_double() }}
        ) as cumulative_share_of_orders,
        cast(medians.median_value as {{ type_double() }}) as measure_median
    from buckets
    inner join bucketed
        on
            buckets.measure = bucketed.measure
            and buckets.bucket_number = bucketed.bucket_number
    left join totals
        on buckets.measure = totals.measure
    left join medians
        on buckets.measure = medians.measure
)

select * from final
