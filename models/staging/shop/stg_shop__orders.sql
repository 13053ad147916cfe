-- Order lines: float-written ids to integers, prices rounded to cents, odd timestamps repaired.
{{ config(pre_hook="{{ check_shop_raw_file('orders') }}") }}
with

source as (
    select * from {{ source('shop', 'orders') }}
),

deduplicated as (
    -- identical raw lines collapse to one; copy_count lets intermediate quarantine the extra copies
    select
        invoice_id,
        line_item_id,
        user_id,
        item_id,
        item_name,
        item_category,
        price,
        created_at,
        paid_at,
        count(*) as copy_count
    from source
    group by invoice_id, line_item_id, user_id, item_id, item_name, item_category, price, created_at, paid_at
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
        copy_count,
        -- a key written twice with different content: intermediate keeps the first, quarantines the rest
        row_number() over (
            partition by {{ shop_id('line_item_id') }}
            order by invoice_id, user_id, item_id, item_name, item_category, price, created_at, paid_at
        ) as key_occurrence
    from deduplicated
),

final as (
    select * from renamed
)

select * from final
