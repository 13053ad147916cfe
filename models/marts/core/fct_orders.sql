with

order_lines as (

    select * from {{ ref('fct_order_lines') }}

),

orders as (

    select
        order_key,
        -- An order belongs to one customer; max() only makes the pick deterministic (a singular test checks
        -- that no order mixes customers).
        max(customer_id) as customer_id,
        min(ordered_at) as ordered_at,
        min(paid_at) as paid_at,
        max(currency) as currency,
        count(*) as line_count,
        sum(case when is_sale then 1 else 0 end) as sale_lines,
        sum(case when is_return then 1 else 0 end) as return_lines,
        sum(case when line_class = 'product_sale' then quantity else 0 end) as units,
        -sum(case when line_class = 'product_return' then quantity else 0 end) as units_returned,
        sum(case when is_sale then line_revenue else 0 end) as order_revenue,
        sum(case when line_class = 'product_sale' then line_revenue else 0 end) as revenue,
        -sum(case when line_class = 'product_return' then line_revenue else 0 end) as returns,
        sum(case when line_class = 'shipping' then line_revenue else 0 end) as shipping_revenue,
        sum(case when line_class = 'adjustment' then line_revenue else 0 end) as adjustments,
        sum(case when line_class != 'unpaid' then line_revenue else 0 end) as total
    from order_lines
    group by order_key

),

final as (

    select
        order_key,
        customer_id,
        customer_id is null as is_guest,
        ordered_at,
        paid_at,
        currency,
        cast(line_count as {{ dbt.type_int() }}) as line_count,
        cast(sale_lines as {{ dbt.type_int() }}) as sale_lines,
        cast(return_lines as {{ dbt.type_int() }}) as return_lines,
        cast(units as {{ dbt.type_bigint() }}) as units,
        cast(units_returned as {{ dbt.type_bigint() }}) as units_returned,
        {{ money('order_revenue') }} as order_revenue,
        {{ money('revenue') }} as revenue,
        {{ money('returns') }} as returns,
        {{ money('revenue - returns') }} as net_revenue,
        {{ money('shipping_revenue') }} as shipping_revenue,
        {{ money('adjustments') }} as adjustments,
        {{ money('total') }} as total,
        sale_lines > 0 as has_sale,
        -- A credit note (online_retail C-invoice) holds only return lines.
        return_lines > 0 and return_lines = line_count as is_return_order
    from orders

)

select * from final
