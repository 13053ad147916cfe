-- One row per distinct raw order line of each landed file: identical lines collapse, copy_count keeps how
-- many raw lines each row stands for. Incremental by file: a run re-reads only the files landed since the
-- high-water mark minus var('late_arrival_days') and replaces those files' rows (delete+insert on source_file),
-- so an appended day costs one day. Lines repeated across files and keys written twice are handled in
-- int_shop__orders_checked, over all files.
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='source_file',
        on_schema_change='fail'
    )
}}
{%- set columns = [
    'line_item_id', 'invoice_id', 'user_id', 'item_id', 'item_name', 'item_category', 'price', 'created_at',
    'paid_at', 'line_item_id_text', 'price_text', 'created_at_text', 'paid_at_text', 'has_price_float_noise',
    'has_sub_cent_price', 'has_unparseable_price', 'has_unparseable_id', 'has_odd_timestamp_format',
    'has_unparseable_timestamp', 'invoice_id_raw', 'line_item_id_raw', 'user_id_raw', 'item_id_raw',
    'item_name_raw', 'item_category_raw', 'price_raw', 'created_at_raw', 'paid_at_raw'
] %}
with

orders as (
    select * from {{ ref('stg_shop__orders') }}
    {%- if is_incremental() %}
        where {{ late_arrival_files_filter('orders') }}
    {%- endif %}
),

deduplicated as (
    select
        source_file,
        landed_on,
        {%- for column in columns %}
            {{ column }},
        {%- endfor %}
        count(*) as copy_count
    from orders
    group by source_file, landed_on, {{ columns | join(', ') }}
),

final as (
    select * from deduplicated
)

select * from final
