-- Every distinct order line with identity resolution and its anomaly checks. A line gets at most one
-- quarantine reason (the first that applies, in the order below) and any number of kept flags. A table over
-- all landed files: identity (merges, deletions) changes history, so it stays downstream of the incremental
-- grain and is re-resolved on every run.
{%- set columns = shop_order_line_columns() %}
with

landed_lines as (
    select * from {{ ref('int_shop__orders_deduplicated') }}
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
    select
        user_id,
        is_deleted,
        -- joined on equality only (a filter in the join condition can turn it into a nested loop)
        true as is_clean
    from users
    where quarantine_reason is null
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
        orders.user_id is not null and known_users.user_id is null as is_unknown_user,
        orders.item_id is not null and known_items.item_id is null as is_unknown_item,
        coalesce(known_users.is_merged and known_users.is_clean, false) as is_merged_account,
        coalesce(known_users.user_id is not null and not known_users.is_clean, false) as is_quarantined_user,
        coalesce(roots.is_deleted, false) as is_deleted_account,
        coalesce(orders.paid_at < orders.created_at, false) as is_paid_before_created,
        coalesce(
            orders.created_at > {{ shop_extracted_at() }} or orders.paid_at > {{ shop_extracted_at() }},
            false
        ) as is_future_dated,
        case
            when known_users.is_clean then known_users.root_user_id
            when known_users.user_id is null then orders.user_id
        end as customer_id
    from orders
    left join known_users on orders.user_id = known_users.user_id
    left join roots on known_users.root_user_id = roots.user_id and known_users.is_clean = roots.is_clean
    left join known_items on orders.item_id = known_items.item_id
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
