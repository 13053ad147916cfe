-- Every distinct order line with identity resolution and its anomaly checks. A line gets at most one
-- quarantine reason (the first that applies, in the order below) and any number of kept flags.
-- Incremental by file (delete+insert on source_file, the first file holding the line): a run re-checks only the
-- files shop_order_files_to_recheck lists (the late-arrival window, files sharing a line id with it, files
-- whose identity or item checks changed - a merge or deletion in users.csv changes history) and keeps the rest,
-- so a full refresh and an incremental run give the same table. The pre-hook deletes the re-checked files'
-- rows first: a file whose lines all turn out to be copies of an earlier file's keeps no row to replace. It
-- reads the list from the comment below rather than running the re-check query a second time.
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='source_file',
        on_schema_change='fail',
        pre_hook="{{ delete_rechecked_order_files() }}"
    )
}}
{%- set columns = shop_order_line_columns() %}
{%- set recheck_files = shop_order_files_to_recheck() if is_incremental() and execute else [] %}
{%- if is_incremental() %}
    {{ json_comment('re-checked files', recheck_files) }}
{%- endif %}
with

landed_lines as (
    select * from {{ ref('int_shop__orders_deduplicated') }}
    {%- if is_incremental() %}
        -- every copy, in any file, of a line id the re-checked files hold: copies and keys are decided across
        -- files (lines without an id are all re-checked)
        where
            line_item_id in (
                select rechecked.line_item_id from {{ ref('int_shop__orders_deduplicated') }} as rechecked
                where {{ landed_rows_predicate(recheck_files) }}
            )
            or line_item_id is null
    {%- endif %}
),

users as (
    select * from {{ ref('int_shop__users') }}
),

catalog as (
    select * from {{ ref('int_shop__catalog_items') }}
),

known_users as (
    select * from {{ ref('int_shop__user_identity') }}
),

roots as (
    {{ shop_user_roots('users') }}
),

known_items as (
    select distinct item_id
    from catalog
    where item_id is not null
),

-- a line copied into two landed files is a duplicate like two copies in one file
deduplicated as (
    select
        {%- for column in columns %}
            {{ column }},
        {%- endfor %}
        min(source_file) as source_file,
        min(landed_on) as landed_on,
        sum(copy_count) as copy_count
    from landed_lines
    group by {{ columns | join(', ') }}
),

orders as (
    select
        *,
        -- a key written twice with different content: the first by content is kept, the rest quarantined
        row_number() over (
            partition by line_item_id
            order by
                invoice_id_raw, user_id_raw, item_id_raw, item_name_raw, item_category_raw, price_raw,
                created_at_raw, paid_at_raw
        ) as key_occurrence
    from deduplicated
),

checked as (
    select
        orders.*,
        {{ shop_order_reference_columns('orders', 'known_users', 'roots', 'known_items') }}
    from orders
    left join known_users on orders.user_id = known_users.user_id
    left join roots on known_users.root_user_id = roots.user_id and known_users.is_clean = roots.is_clean
    left join known_items on orders.item_id = known_items.item_id
    {%- if is_incremental() %}
        -- after the ranking: the other files' lines came along only to be counted and ranked with these
        where {{ landed_rows_predicate(recheck_files) }}
    {%- endif %}
),

final as (
    select
        *,
        case
            when line_item_id is null then 'missing_key'
            when key_occurrence > 1 then 'duplicate_key'
            when has_unparseable_timestamp then 'unparseable_timestamp'
            when created_at is null then 'missing_timestamp'
            when is_future_dated then 'future_dated'
            when price is null and not has_unparseable_price then 'null_price'
            when has_unparseable_price then 'unparseable_price'
            when price < 0 then 'negative_price'
        end as quarantine_reason
    from checked
)

select * from final
