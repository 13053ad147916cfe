-- fct_orders keeps one customer per order; an order whose lines name two surviving customers would be
-- credited to only one of them, so it must not exist.
with

order_lines as (

    select * from {{ ref('fct_order_lines') }}

),

final as (

    select
        order_key,
        count(distinct customer_id) as customers,
        count(distinct case when customer_id is null then 1 end) as has_guest_line
    from order_lines
    group by order_key
    having count(distinct customer_id) + count(distinct case when customer_id is null then 1 end) > 1

)

select * from final
