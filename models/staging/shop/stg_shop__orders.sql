-- Order lines, one row per raw line, typed: float-written ids to integers, prices rounded to cents, odd
-- timestamps repaired, with the file it landed in. Incremental: a build reads the whole-table file and the
-- partitions of the last var('late_arrival_days') landing days again (lookback_start), and replaces those
-- files' rows; DuckDB opens no other file. `--full-refresh` reads everything.
{{ config(**incremental_by_landing_day()) }}
{%- set columns = ['invoice_id', 'line_item_id', 'user_id', 'item_id', 'item_name', 'item_category', 'price',
    'created_at', 'paid_at'] %}
with

source as (
    {{ numbered_raw_rows(source('shop', 'orders'), columns, in_lookback_window(raw_file_landed_on('filename'))) }}
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
        {{ shop_null('invoice_id') }} as invoice_id_text,
        {{ shop_null('user_id') }} as user_id_text,
        {{ shop_null('item_id') }} as item_id_text,
        {{ shop_null('price') }} as price_text,
        {{ shop_null('created_at') }} as created_at_text,
        {{ shop_null('paid_at') }} as paid_at_text,
        {{ has_float_noise('price') }} as has_price_float_noise,
        {{ has_sub_cent_price('price') }} as has_sub_cent_price,
        {{ is_unparseable_number('price') }} as has_unparseable_price,
        (
            {{ is_invalid_id('line_item_id') }}
            or {{ is_invalid_id('invoice_id') }}
            or {{ is_invalid_id('user_id') }}
            or {{ is_invalid_id('item_id') }}
        ) as has_invalid_id,
        (
            {{ is_odd_timestamp_format('created_at') }}
            or {{ is_odd_timestamp_format('paid_at') }}
        ) as has_odd_timestamp_format,
        (
            {{ is_unparseable_timestamp('created_at') }}
            or {{ is_unparseable_timestamp('paid_at') }}
        ) as has_unparseable_timestamp,
        {{ raw_row_columns(columns) }}
    from source
),

final as (
    select * from renamed
)

select * from final
