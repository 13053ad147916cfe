{%- set period_grains = ['day', 'week', 'month', 'quarter', 'year'] -%}

with

order_lines as (

    -- Every money line (unpaid lines are not money yet): the statement adds up to total.
    select * from {{ ref('fct_order_lines') }}
    where line_class != 'unpaid'

),

first_sales as (

    -- A customer is new in the period of their FIRST PRODUCT SALE (by payment date, like revenue), whatever
    -- they ordered or returned before it.
    select
        customer_id,
        min(recognised_at) as first_sale_at
    from order_lines
    where line_class = 'product_sale' and customer_id is not null
    group by customer_id

),

dated_lines as (

    select
        order_lines.order_key,
        order_lines.customer_id,
        order_lines.line_class,
        order_lines.line_revenue,
        order_lines.currency,
        cast({{ dbt.date_trunc('day', 'order_lines.recognised_at') }} as date) as recognised_on,
        cast({{ dbt.date_trunc('day', 'first_sales.first_sale_at') }} as date) as first_sale_on
    from order_lines
    left join first_sales
        on order_lines.customer_id = first_sales.customer_id

),

daily_orders as (

    -- The lines of an order on one day, added up once: the five grains below then copy one row per order and
    -- day instead of every line (a day lies in one period of every grain, and the money is exact decimals).
    select
        recognised_on,
        first_sale_on,
        order_key,
        customer_id,
        currency,
        sum(case when line_class = 'product_sale' then line_revenue else 0 end) as revenue,
        -sum(case when line_class = 'product_return' then line_revenue else 0 end) as returns,
        sum(case when line_class = 'shipping' then line_revenue else 0 end) as shipping_revenue,
        sum(case when line_class = 'adjustment' then line_revenue else 0 end) as adjustments,
        sum(line_revenue) as total,
        max(case when line_class = 'product_sale' then 1 else 0 end) = 1 as has_product_sale
    from dated_lines
    group by recognised_on, first_sale_on, order_key, customer_id, currency

),

by_grain as (

    -- One copy of every order-day per grain, dated by the start of its period and of its customer's first-sale
    -- period, so one aggregation serves all five grains.
    {% for period_grain in period_grains %}
        select
            '{{ period_grain }}' as period_grain,
            cast({{ dbt.date_trunc(period_grain, 'recognised_on') }} as date) as period_start,
            cast({{ dbt.date_trunc(period_grain, 'first_sale_on') }} as date) as first_sale_period_start,
            order_key,
            customer_id,
            has_product_sale,
            revenue,
            returns,
            shipping_revenue,
            adjustments,
            total,
            currency
        from daily_orders
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

aggregated as (

    select
        period_grain,
        period_start,
        currency,
        sum(revenue) as revenue,
        sum(returns) as returns,
        sum(shipping_revenue) as shipping_revenue,
        sum(adjustments) as adjustments,
        sum(total) as total,
        count(distinct case when has_product_sale then order_key end) as orders,
        count(distinct case when has_product_sale then customer_id end) as customers,
        count(
            distinct case
                when has_product_sale and first_sale_period_start = period_start then customer_id
            end
        ) as new_customers
    from by_grain
    group by period_grain, period_start, currency

),

final as (

    select
        period_grain,
        period_start,
        currency,
        {{ money('revenue') }} as revenue,
        {{ money('returns') }} as returns,
        {{ money('revenue - returns') }} as net_revenue,
        {{ money('shipping_revenue') }} as shipping_revenue,
        {{ money('adjustments') }} as adjustments,
        {{ money('total') }} as total,
        cast(orders as {{ dbt.type_int() }}) as orders,
        cast(customers as {{ dbt.type_int() }}) as customers,
        cast(new_customers as {{ dbt.type_int() }}) as new_customers,
        cast(customers - new_customers as {{ dbt.type_int() }}) as returning_customers,
        -- A period with only returns or adjustments has no orders: no average rather than a division by zero.
        case
            when orders > 0 then cast(revenue / orders as decimal(38, 3))
        end as avg_order_value
    from aggregated

)

select * from final
