-- The shop's items in the shared shape: clean catalog rows plus items known only from order lines
-- (unknown items, inferred from the line so every order line's item exists here).
with

catalog as (
    select * from {{ ref('int_shop__catalog_items') }}
),

orders as (
    select * from {{ ref('int_shop__orders_checked') }}
),

catalog_items as (
    select
        item_id,
        item_name,
        category,
        price,
        item_kind,
        false as is_inferred
    from catalog
    where quarantine_reason is null
),

inferred_lines as (
    -- several lines may name the same unknown item: the lowest line id decides, so rebuilds agree
    select
        item_id,
        item_name,
        item_category as category,
        price,
        row_number() over (partition by item_id order by line_item_id) as line_rank,
        -- free only when every line of it is: one line at 0 does not make the other lines' sales free
        max(price) over (partition by item_id) as max_price
    from orders
    where dq_unknown_item and quarantine_reason is null
),

inferred_items as (
    select
        item_id,
        item_name,
        category,
        price,
        case when max_price = 0 then 'free_addon' else 'product' end as item_kind,
        true as is_inferred
    from inferred_lines
    where line_rank = 1
),

unioned as (
    select * from catalog_items
    union all
    select * from inferred_items
),

final as (
    select
        {{ safe_cast_value('item_id', dbt.type_string()) }} as item_id,
        item_name,
        category,
        {{ safe_cast_value('price', 'decimal(18, 3)') }} as price,
        item_kind,
        item_kind = 'product' as is_product,
        is_inferred
    from unioned
)

select * from final
