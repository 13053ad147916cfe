with

customers as (

    select * from {{ ref('int_customers') }}

),

order_lines as (

    select * from {{ ref('fct_order_lines') }}
    where customer_id is not null

),

purchases as (

    -- first/last order and order count describe purchases (orders with a product sale), the same basis as
    -- customer_rfm; unpaid orders, postage or fees alone are not purchases.
    select
        customer_id,
        min(case when line_class = 'product_sale' then ordered_at end) as first_order_at,
        max(case when line_class = 'product_sale' then ordered_at end) as last_order_at,
        min(case when line_class = 'product_sale' then paid_at end) as first_paid_at,
        max(case when line_class = 'product_sale' then paid_at end) as last_paid_at,
        count(distinct case when line_class = 'product_sale' then order_key end) as orders,
        sum(case when line_class = 'product_sale' then quantity else 0 end) as units,
        sum(case when line_class = 'product_sale' then line_revenue else 0 end) as revenue,
        -sum(case when line_class = 'product_return' then line_revenue else 0 end) as returns
    from order_lines
    group by customer_id

),

joined as (

    select
        customers.customer_id,
        customers.signed_up_at,
        customers.is_deleted,
        customers.is_inferred,
        customers.merged_accounts,
        customers.country,
        purchases.first_order_at,
        purchases.last_order_at,
        purchases.first_paid_at,
        purchases.last_paid_at,
        cast(coalesce(purchases.orders, 0) as {{ dbt.type_int() }}) as orders,
        cast(coalesce(purchases.units, 0) as {{ dbt.type_bigint() }}) as units,
        coalesce(purchases.revenue, 0) as revenue,
        coalesce(purchases.returns, 0) as returns
    from customers
    left join purchases
        on customers.customer_id = purchases.customer_id

),

final as (

    select
        customer_id,
        signed_up_at,
        is_deleted,
        is_inferred,
        merged_accounts,
        country,
        first_order_at,
        last_order_at,
        first_paid_at,
        last_paid_at,
        orders,
        units,
        {{ money('revenue') }} as revenue,
        {{ money('returns') }} as returns,
        {{ money('revenue - returns') }} as net_revenue,
        orders > 0 as is_buyer
    from joined

)

select * from final
