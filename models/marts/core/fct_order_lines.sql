with

order_lines as (

    select * from {{ ref('int_order_lines') }}

),

items as (

    select * from {{ ref('int_items') }}

),

flagged as (

    select
        order_lines.line_key,
        order_lines.order_key,
        order_lines.customer_id,
        order_lines.source_customer_id,
        order_lines.item_id,
        order_lines.item_name,
        order_lines.category,
        items.item_kind,
        order_lines.is_product,
        order_lines.line_type,
        order_lines.line_type = 'sale' as is_sale,
        order_lines.line_type = 'return' as is_return,
        order_lines.customer_id is null as is_guest,
        order_lines.quantity,
        order_lines.unit_price,
        order_lines.line_revenue,
        order_lines.ordered_at,
        order_lines.paid_at,
        -- Every period mart needs one date per line: revenue is recognised when paid; a credit line that
        -- carries no payment date is dated by its order so returns never drop out of a period.
        case
            when order_lines.line_type = 'sale' then order_lines.paid_at
            when order_lines.line_type = 'return' then coalesce(order_lines.paid_at, order_lines.ordered_at)
        end as recognised_at,
        order_lines.country
    from order_lines
    left join items
        on order_lines.item_id = items.item_id

),

final as (

    select * from flagged

)

select * from final
