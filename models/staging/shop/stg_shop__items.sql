-- Catalog items, one row per raw line: float-written ids to integers, prices to cents; names are not unique
-- and stay as written. Identical lines are numbered (copy_number), not collapsed: intermediate decides.
{%- set columns = ['adjective', 'category', 'created_at', 'id', 'modifier', 'name', 'price'] %}
with

source as (
    {{ numbered_raw_rows(source('shop', 'items'), columns) }}
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
        {{ is_invalid_id('id') }} as has_invalid_id,
        {{ has_float_noise('price') }} as has_price_float_noise,
        {{ has_sub_cent_price('price') }} as has_sub_cent_price,
        {{ is_unparseable_number('price') }} as has_unparseable_price,
        {{ is_odd_timestamp_format('created_at') }} as has_odd_timestamp_format,
        {{ is_unparseable_timestamp('created_at') }} as has_unparseable_timestamp,
        {{ raw_row_columns(columns) }}
    from source
),

final as (
    select * from renamed
)

select * from final
