{#- The columns of a staged shop order line (stg_shop__orders) that identify a distinct line: typed values,
    flags and the raw text as written. Two lines are copies when all of them are equal; the dedup per landed
    file (int_shop__orders_deduplicated) and across files (int_shop__orders_checked) group by this one list. -#}
{% macro shop_order_line_columns() %}
    {{ return([
        'line_item_id', 'invoice_id', 'user_id', 'item_id', 'item_name', 'item_category', 'price', 'created_at',
        'paid_at', 'line_item_id_text', 'price_text', 'created_at_text', 'paid_at_text', 'has_price_float_noise',
        'has_sub_cent_price', 'has_unparseable_price', 'has_unparseable_id', 'has_odd_timestamp_format',
        'has_unparseable_timestamp', 'invoice_id_raw', 'line_item_id_raw', 'user_id_raw', 'item_id_raw',
        'item_name_raw', 'item_category_raw', 'price_raw', 'created_at_raw', 'paid_at_raw'
    ]) }}
{% endmacro %}
