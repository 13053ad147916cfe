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
{%- set columns = shop_order_line_columns() %}
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
