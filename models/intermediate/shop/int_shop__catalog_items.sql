-- Every staged catalog row with its checks; int_shop__items keeps the clean ones and adds inferred items.
with

items as (
    select * from {{ ref('stg_shop__items') }}
),

name_counts as (
    select
        item_name,
        count(*) as items_with_name
    from items
    where key_occurrence = 1 and item_id is not null
    group by item_name
),

final as (
    select
        items.*,
        coalesce(name_counts.items_with_name, 1) as items_with_name,
        coalesce(name_counts.items_with_name, 1) > 1 as has_duplicate_name,
        items.price = 0 as is_free,
        -- how-to-manuals are given away with a purchase: a free add-on, not a product that earns revenue
        case
            when items.price = 0 then 'free_addon'
            else 'product'
        end as item_kind,
        case
            when items.item_id is null then 'missing_key'
            when items.key_occurrence > 1 then 'duplicate_key'
        end as quarantine_reason
    from items
    left join name_counts on items.item_name = name_counts.item_name
)

select * from final
