-- item_rankings must hold every product line's units and money exactly once: no product lost by the join to
-- dim_items, no non-product ranked.
with

product_lines as (

    select
        sum(case when order_lines.is_sale then order_lines.quantity else 0 end) as units_sold,
        sum(order_lines.quantity) as net_units,
        sum(order_lines.line_revenue) as net_revenue
    from {{ ref('fct_order_lines') }} as order_lines
    inner join {{ ref('dim_items') }} as items
        on order_lines.item_id = items.item_id
    where
        items.is_product
        and (order_lines.is_sale or order_lines.is_return)

),

ranked as (

    select
        sum(units_sold) as units_sold,
        sum(net_units) as net_units,
        sum(net_revenue) as net_revenue
    from {{ ref('item_rankings') }}

),

final as (

    select
        product_lines.units_sold as line_units_sold,
        ranked.units_sold as ranked_units_sold,
        product_lines.net_units as line_net_units,
        ranked.net_units as ranked_net_units,
        product_lines.net_revenue as line_net_revenue,
        ranked.net_revenue as ranked_net_revenue
    from product_lines
    cross join ranked
    where
        coalesce(product_lines.units_sold, 0) != coalesce(ranked.units_sold, 0)
        or coalesce(product_lines.net_units, 0) != coalesce(ranked.net_units, 0)
        or coalesce(product_lines.net_revenue, 0) != coalesce(ranked.net_revenue, 0)

)

select * from final
