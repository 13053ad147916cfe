-- Every raw catalog line with its checks (dq_<reason_code> flags); int_shop__items keeps the clean ones and
-- adds inferred items.
with

items as (
    select * from {{ ref('stg_shop__items') }}
    where not is_header_row
),

ranked as (
    select
        *,
        -- of the distinct lines of one id, the first by content is kept and the others are keys written twice
        row_number() over (
            partition by item_id, copy_number > 1
            order by item_name, adjective, modifier, category, price_text, created_at_text, row_fingerprint
        ) as key_occurrence
    from items
),

name_counts as (
    select
        item_name,
        count(*) as items_with_name
    from ranked
    where key_occurrence = 1 and copy_number = 1 and item_id is not null
    group by item_name
),

checked as (
    select
        ranked.*,
        coalesce(name_counts.items_with_name, 1) as items_with_name,
        ranked.price = 0 as is_free,
        -- how-to-manuals are given away with a purchase: a free add-on, not a product that earns revenue
        case
            when ranked.price = 0 then 'free_addon'
            else 'product'
        end as item_kind,
        ranked.copy_number > 1 as dq_duplicate_row,
        ranked.item_id_text is null as dq_missing_key,
        ranked.has_invalid_id as dq_invalid_id,
        ranked.item_id is not null and ranked.copy_number = 1 and ranked.key_occurrence > 1 as dq_duplicate_key,
        coalesce(ranked.price = 0, false) as dq_free_item,
        coalesce(name_counts.items_with_name, 1) > 1 as dq_duplicate_name,
        ranked.has_unparseable_price as dq_unparseable_price,
        ranked.has_price_float_noise as dq_price_float_noise,
        ranked.has_sub_cent_price as dq_sub_cent_price,
        ranked.has_unparseable_timestamp as dq_unparseable_timestamp,
        ranked.has_odd_timestamp_format as dq_odd_timestamp_format
    from ranked
    left join name_counts on ranked.item_name = name_counts.item_name
),

final as (
    select
        item_id,
        item_name,
        adjective,
        modifier,
        category,
        price,
        created_at,
        items_with_name,
        is_free,
        item_kind,
        {{ record_key('item_id_text', ['copy_number', 'key_occurrence', 'row_fingerprint']) }} as record_key,
        {{ dbt.concat(["'id '", "coalesce(item_id_text, 'None')", "', name '", "coalesce(item_name, 'None')",
            "', price '", "coalesce(price_text, 'None')", "', created_at '",
            "coalesce(created_at_text, 'None')"]) }} as dq_detail,
        dq_duplicate_row,
        dq_missing_key,
        dq_invalid_id,
        dq_duplicate_key,
        dq_free_item,
        dq_duplicate_name,
        dq_unparseable_price,
        dq_price_float_noise,
        dq_sub_cent_price,
        dq_unparseable_timestamp,
        dq_odd_timestamp_format,
        {{ first_flag(['duplicate_row', 'missing_key', 'invalid_id', 'duplicate_key']) }} as quarantine_reason
    from checked
)

select * from final
