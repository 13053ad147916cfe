-- Catalog items: float-written ids to integers, prices to cents; names are not unique and stay as written.
{{ config(pre_hook="{{ check_shop_raw_file('items') }}") }}
with

source as (
    select * from {{ source('shop', 'items') }}
),

deduplicated as (
    -- identical raw rows collapse to one; copy_count lets intermediate quarantine the extra copies
    select
        id,
        name,
        adjective,
        modifier,
        category,
        price,
        created_at,
        count(*) as copy_count
    from source
    group by id, name, adjective, modifier, category, price, created_at
),

renamed as (
    select
        {{ shop_id('id') }} as item_id,
        {{ shop_null('name') }} as item_name,
        {{ shop_null('adjective') }} as adjective,
        {{ shop_null('modifier') }} as modifier,
        {{ shop_null('category') }} as category,
        {{ shop_cents('price') }} as price,
        {{ repair_timestamp('created_at') }} as created_at,
        {{ shop_null('id') }} as item_id_text,
        {{ shop_null('price') }} as price_text,
        {{ shop_null('created_at') }} as created_at_text,
        {{ has_float_noise('price') }} as has_price_float_noise,
        {{ has_sub_cent_price('price') }} as has_sub_cent_price,
        {{ is_unparseable_number('price') }} as has_unparseable_price,
        {{ is_odd_timestamp_format('created_at') }} as has_odd_timestamp_format,
        {{ is_unparseable_timestamp('created_at') }} as has_unparseable_timestamp,
        copy_count,
        -- a key written twice with different content: intermediate keeps the first, quarantines the rest
        row_number() over (
            partition by {{ shop_id('id') }}
            order by name, adjective, modifier, category, price, created_at
        ) as key_occurrence
    from deduplicated
),

final as (
    select * from renamed
)

select * from final
