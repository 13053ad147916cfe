-- Every (weekday, hour) slot is present, with zeros where nothing sold, so a heatmap of this table has no holes.
with

order_lines as (
    select * from {{ ref('int_order_lines') }}
),

sale_orders as (
    -- an order is timed by its payment, the moment its revenue is recognised (docs/interface.md)
    select
        order_key,
        min(customer_id) as customer_id,
        min(paid_at) as paid_at,
        sum(line_revenue) as revenue
    from order_lines
    where line_type = 'sale'
    group by order_key
),

order_slots as (
    select
        order_key,
        customer_id,
        revenue,
        {{ iso_day_of_week('paid_at') }} as day_of_week,
        {{ hour_of_day('paid_at') }} as hour_of_day
    from sale_orders
),

weekdays as (
    {{ literal_rows(['day_of_week', 'day_name'], [
        [1, 'Monday'], [2, 'Tuesday'], [3, 'Wednesday'], [4, 'Thursday'], [5, 'Friday'], [6, 'Saturday'], [7, 'Sunday']
    ]) }}
),

digits as (
    {{ literal_rows(['digit'], [[0], [1], [2], [3], [4], [5], [6], [7], [8], [9]]) }}
),

hours as (
    select tens.digit * 10 + units.digit as hour_of_day
    from digits as tens
    cross join digits as units
    where tens.digit * 10 + units.digit < 24
),

grid as (
    select
        weekdays.day_of_week,
        weekdays.day_name,
        hours.hour_of_day
    from weekdays
    cross join hours
),

slot_totals as (
    select
        day_of_week,
        hour_of_day,
        count(*) as orders,
        count(distinct customer_id) as customers,
        sum(revenue) as revenue
    from order_slots
    group by day_of_week, hour_of_day
),

overall as (
    select
        count(*) as total_orders,
        sum(revenue) as total_revenue
    from sale_orders
),

final as (
    select
        cast(grid.day_of_week as {{ dbt.type_int() }}) as day_of_week,
        cast(grid.day_name as {{ dbt.type_string() }}) as day_name,
        cast(grid.hour_of_day as {{ dbt.type_int() }}) as hour_of_day,
        cast(coalesce(slot_totals.orders, 0) as {{ dbt.type_bigint() }}) as orders,
        cast(coalesce(slot_totals.customers, 0) as {{ dbt.type_bigint() }}) as customers,
        cast(coalesce(slot_totals.revenue, 0) as decimal(38, 3)) as revenue,
        cast(
            coalesce(slot_totals.revenue, 0) / nullif(slot_totals.orders, 0) as decimal(38, 3)
        ) as avg_order_value,
        cast(
            coalesce(slot_totals.orders, 0) * 1e0 / nullif(overall.total_orders, 0) as {{ type_double() }}
        ) as share_of_orders,
        cast(
            coalesce(slot_totals.revenue, 0) * 1e0 / nullif(overall.total_revenue, 0) as {{ type_double() }}
        ) as share_of_revenue
    from grid
    cross join overall
    left join slot_totals
        on
            grid.day_of_week = slot_totals.day_of_week
            and grid.hour_of_day = slot_totals.hour_of_day
)

select * from final
