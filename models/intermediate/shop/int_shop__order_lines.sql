-- The shop's order lines in the shared shape (docs/architecture.md): clean lines only, one per line_item_id.
-- Shop lines are single units; a line is a sale once it is paid.
with

orders as (
    select * from {{ ref('int_shop__orders_checked') }}
),

items as (
    select * from {{ ref('int_shop__items') }}
),

clean as (
    select * from orders
    where quarantine_reason is null
),

final as (
    select
        {{ safe_cast_value('clean.line_item_id', dbt.type_string()) }} as line_key,
        {{ safe_cast_value('clean.invoice_id', dbt.type_string()) }} as order_key,
        {{ safe_cast_value('clean.customer_id', dbt.type_bigint()) }} as customer_id,
        {{ safe_cast_value('clean.user_id', dbt.type_bigint()) }} as source_customer_id,
        {{ safe_cast_value('clean.item_id', dbt.type_string()) }} as item_id,
        clean.item_name,
        coalesce(clean.item_category, items.category) as category,
        case
            when clean.paid_at is not null then 'sale'
            else 'other'
        end as line_type,
        coalesce(items.is_product, true) as is_product,
        {{ safe_cast_value('1', dbt.type_int()) }} as quantity,
        {{ safe_cast_value('clean.price', 'decimal(18, 3)') }} as unit_price,
        {{ safe_cast_value('1 * clean.price', 'decimal(18, 3)') }} as line_revenue,
        clean.created_at as ordered_at,
        clean.paid_at,
        {{ safe_cast_value('null', dbt.type_string()) }} as country
    from clean
    left join items on {{ safe_cast_value('clean.item_id', dbt.type_string()) }} = items.item_id
)

select * from final
