-- Every raw order line (data lines of every landed file) with identity resolution and its checks, one
-- dq_<reason_code> flag each. A line gets at most one quarantine reason (the first that applies, in the order
-- of first_flag below) and any number of kept flags. A table rebuilt on every run: identity changes history
-- (a merge in users.csv moves old lines to the survivor), and order lines are few enough to re-check whole.
with

orders as (
    select * from {{ ref('stg_shop__orders') }}
    where not is_header_row
),

known_users as (
    select * from {{ ref('int_shop__user_identity') }}
),

catalog as (
    select * from {{ ref('int_shop__catalog_items') }}
),

known_items as (
    select distinct item_id
    from catalog
    where item_id is not null
),

ranked as (
    select
        *,
        -- a line copied within a file or into a later file is a duplicate: the first copy (earliest landing,
        -- then file name) is kept
        row_number() over (
            partition by row_fingerprint
            order by landed_on, source_file, copy_number
        ) as copy_rank
    from orders
),

keyed as (
    select
        *,
        -- a key written twice with different content: the first by content is kept, the rest quarantined
        row_number() over (
            partition by line_item_id, copy_rank > 1
            order by
                invoice_id_text, user_id_text, item_id_text, item_name, item_category, price_text,
                created_at_text, paid_at_text, row_fingerprint
        ) as key_occurrence
    from ranked
),

checked as (
    select
        keyed.*,
        case
            when known_users.is_clean then known_users.root_user_id
            when known_users.user_id is null then keyed.user_id
        end as customer_id,
        keyed.copy_rank > 1 as dq_duplicate_row,
        keyed.line_item_id_text is null as dq_missing_key,
        keyed.has_invalid_id as dq_invalid_id,
        keyed.line_item_id is not null and keyed.copy_rank = 1 and keyed.key_occurrence > 1 as dq_duplicate_key,
        keyed.has_unparseable_timestamp as dq_unparseable_timestamp,
        keyed.created_at is null as dq_missing_timestamp,
        coalesce(
            keyed.created_at > {{ shop_extracted_at() }} or keyed.paid_at > {{ shop_extracted_at() }}, false
        ) as dq_future_dated,
        keyed.price is null and not keyed.has_unparseable_price as dq_null_price,
        keyed.has_unparseable_price as dq_unparseable_price,
        coalesce(keyed.price < 0, false) as dq_negative_price,
        coalesce(keyed.paid_at < keyed.created_at, false) as dq_paid_before_created,
        keyed.item_id is not null and known_items.item_id is null as dq_unknown_item,
        keyed.user_id is not null and known_users.user_id is null as dq_unknown_user,
        coalesce(known_users.user_id is not null and not known_users.is_clean, false) as dq_quarantined_user,
        coalesce(known_users.is_merged and known_users.is_clean, false) as dq_merged_account,
        coalesce(known_users.is_root_deleted, false) as dq_deleted_account,
        keyed.has_price_float_noise as dq_price_float_noise,
        keyed.has_sub_cent_price as dq_sub_cent_price,
        keyed.has_odd_timestamp_format as dq_odd_timestamp_format
    from keyed
    left join known_users on keyed.user_id = known_users.user_id
    left join known_items on keyed.item_id = known_items.item_id
),

final as (
    select
        line_item_id,
        invoice_id,
        user_id,
        customer_id,
        item_id,
        item_name,
        item_category,
        price,
        created_at,
        paid_at,
        source_file,
        landed_on,
        {{ record_key('line_item_id_text', ['copy_rank', 'key_occurrence', 'row_fingerprint']) }} as record_key,
        {{ dbt.concat(["'price '", "coalesce(price_text, 'None')", "', created_at '",
            "coalesce(created_at_text, 'None')", "', paid_at '", "coalesce(paid_at_text, 'None')",
            "', file '", "source_file"]) }} as dq_detail,
        dq_duplicate_row,
        dq_missing_key,
        dq_invalid_id,
        dq_duplicate_key,
        dq_unparseable_timestamp,
        dq_missing_timestamp,
        dq_future_dated,
        dq_null_price,
        dq_unparseable_price,
        dq_negative_price,
        dq_paid_before_created,
        dq_unknown_item,
        dq_unknown_user,
        dq_quarantined_user,
        dq_merged_account,
        dq_deleted_account,
        dq_price_float_noise,
        dq_sub_cent_price,
        dq_odd_timestamp_format,
        {{ first_flag([
            'duplicate_row', 'missing_key', 'invalid_id', 'duplicate_key', 'unparseable_timestamp',
            'missing_timestamp', 'future_dated', 'null_price', 'unparseable_price', 'negative_price'
        ]) }} as quarantine_reason
    from checked
)

select * from final
