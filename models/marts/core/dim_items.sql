with

items as (

    select * from {{ ref('int_items') }}

),

final as (

    select
        item_id,
        item_name,
        category,
        price,
        item_kind,
        is_product,
        is_inferred
    from items

)

select * from final
