-- One row per raw order line, typed: float-written ids to integers, prices rounded to cents, odd timestamps
-- repaired, with the file it landed in. Identical lines collapse in int_shop__order_lines_landed.
{{ config(pre_hook="{{ check_shop_raw_file('orders') }}") }}
with

source as (
    select * from {{ source('shop', 'orders') }}
),

renamed as (
    select
        {{ shop_id('line_item_id') }} as line_item_id,
        {{ shop_id('invoice_id') }} as invoice_id,
        {{ shop_id('user_id') }} as user_id,
        {{ shop_id('item_id') }} as item_id,
        {{ shop_null('item_name') }} as item_name,
        {{ shop_null('item_category') }} as item_category,
        {{ shop_cents('price') }} as price,
        {{ repair_timestamp('created_at') }} as created_at,
        {{ repair_timestamp('paid_at') }} as paid_at,
        {{ shop_null('line_item_id') }} as line_item_id_text,
        {{ shop_null('price') }} as price_text,
        {{ shop_null('created_at') }} as created_at_text,
        {{ shop_null('paid_at') }} as paid_at_text,
        {{ has_float_noise('price') }} as has_price_float_noise,
        {{ has_sub_cent_price('price') }} as has_sub_cent_price,
        {{ is_unparseable_number('price') }} as has_unparseable_price,
        (
            {{ is_unparseable_number('user_id') }}
            or {{ is_unparseable_number('item_id') }}
            or {{ is_unparseable_number('invoice_id') }}
        ) as has_unparseable_id,
        (
            {{ is_odd_timestamp_format('created_at') }}
            or {{ is_odd_timestamp_format('paid_at') }}
        ) as has_odd_timestamp_format,
        (
            {{ is_unparseable_timestamp('created_at') }}
            or {{ is_unparseable_timestamp('paid_at') }}
        ) as has_unparseable_timestamp,
        -- the line exactly as written: two lines are copies when all of these are equal
        invoice_id as invoice_id_raw,
        line_item_id as line_item_id_raw,
        user_id as user_id_raw,
        item_id as item_id_raw,
        item_name as item_name_raw,
        item_category as item_category_raw,
        price as price_raw,
        created_at as created_at_raw,
        paid_at as paid_at_raw,
        {{ landed_file_columns('filename') }}
    from source
),

final as (
    select * from renamed
)

select * from final
