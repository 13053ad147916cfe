-- One summary row per source system (the active one): guests have no identity to repeat with, so only lines with
-- a customer count (docs/interface.md).
with

order_lines as (
    select * from {{ ref('int_order_lines') }}
),

customer_orders as (
    select
        customer_id,
        count(distinct order_key) as orders,
        sum(line_revenue) as revenue
    from order_lines
    where
        line_type = 'sale'
        and customer_id is not null
    group by customer_id
),

summary as (
    select
        count(*) as customers,
        sum(case when orders >= 2 then 1 else 0 end) as repeat_customers,
        sum(orders) as orders,
        sum(case when orders >= 2 then orders else 0 end) as repeat_customer_orders,
        sum(revenue) as revenue,
        sum(case when orders >= 2 then revenue else 0 end) as repeat_customer_revenue
    from customer_orders
),

final as (
    select
        cast('{{ source_system() }}' as {{ dbt.type_string() }})
            as source_system,
        cast(customers as {{ dbt.type_bigint() }}) as customers,
        cast(coalesce(repeat_customers, 0) as {{ dbt.type_bigint() }}) as repeat_customers,
        cast(customers - coalesce(repeat_customers, 0) as {{ dbt.type_bigint() }}) as one_time_customers,
        cast(repeat_customers * 1e0 / nullif(customers, 0) as {{ type_double() }}) as repeat_purchase_rate,
        cast(coalesce(orders, 0) as {{ dbt.type_bigint() }}) as orders,
        cast(coalesce(repeat_customer_orders, 0) as {{ dbt.type_bigint() }}) as repeat_customer_orders,
        cast(orders * 1e0 / nullif(customers, 0) as {{ type_double() }}) as avg_orders_per_customer,
        cast(coalesce(revenue, 0) as decimal(38, 3)) as revenue,
        cast(coalesce(repeat_customer_revenue, 0) as decimal(38, 3)) as repeat_customer_revenue,
        cast(repeat_customer_revenue * 1e0 / nullif(revenue, 0) as {{ type_double() }}) as repeat_revenue_share
    from summary
)

select * from final
