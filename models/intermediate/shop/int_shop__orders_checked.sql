-- Every raw order line (data lines of every landed file) with identity resolution and its checks, one
-- dq_<reason_code> flag each. A line gets at most one quarantine reason (the first that applies, in the order
-- of first_flag below) and any number of kept flags. A table rebuilt on every run: identity changes history
-- (a merge in users.csv moves old lines to the survivor), and order lines are few enough to re-check whole.
{%- set flags = ['duplicate_row', 'missing_key', 'invalid_id', 'duplicate_key', 'unparseable_timestamp',
    'missing_timestamp', 'future_dated', 'null_price', 'unparseable_price', 'negative_price', 'paid_before_created',
    'unknown_item', 'unknown_user', 'quarantined_user', 'merged_account', 'deleted_account', 'price_float_noise',
    'sub_cent_price', 'odd_timestamp_format'] %}
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

-- Copies and keys written twice are rare: only their lines are ranked (below), every other line is first of its
-- kind. Ranking every line sorted all 4.7M wide lines twice at scale 100 (11.5 s of the model's 14.3 s alone).
-- Each rank reads the staging table again: DuckDB would materialize `orders` whole if it were read twice.
repeated_fingerprints as (
    select row_fingerprint
    from {{ ref('stg_shop__orders') }}
    where not is_header_row
    group by row_fingerprint
    having count(*) > 1
),

-- a line copied within a file or into a later file is a duplicate: the first copy (earliest landing, then file
-- name) is kept
copy_ranks as (
    select
        row_fingerprint,
        source_file,
        copy_number,
        row_number() over (
            partition by row_fingerprint
            order by landed_on, source_file, copy_number
        ) as copy_rank
    from {{ ref('stg_shop__orders') }}
    where not is_header_row and row_fingerprint in (select repeated.row_fingerprint from repeated_fingerprints as repeated)
),

-- ids written on more than one line (a missing or invalid id counts as one id, null, as in the partition below)
repeated_keys as (
    select line_item_id
    from {{ ref('stg_shop__orders') }}
    where not is_header_row
    group by line_item_id
    having count(*) > 1
),

-- a key written twice with different content: the first by content is kept, the rest quarantined
key_ranks as (
    select
        repeated_lines.row_fingerprint,
        repeated_lines.source_file,
        repeated_lines.copy_number,
        row_number() over (
            partition by repeated_lines.line_item_id, coalesce(copy_ranks.copy_rank, 1) > 1
            order by
                repeated_lines.invoice_id_text, repeated_lines.user_id_text, repeated_lines.item_id_text,
                repeated_lines.item_name, repeated_lines.item_category, repeated_lines.price_text,
                repeated_lines.created_at_text, repeated_lines.paid_at_text, repeated_lines.row_fingerprint
        ) as key_occurrence
    from {{ ref('stg_shop__orders') }} as repeated_lines
    inner join repeated_keys on repeated_lines.line_item_id is not distinct from repeated_keys.line_item_id
    left join copy_ranks
        on {{ same_raw_line('repeated_lines', 'copy_ranks') }}
    where not repeated_lines.is_header_row
),

-- ids written on more than one line as written (`5` and `5.0` are one id, two record keys): the issue rows
-- name each of these lines `<id>#<n>` (numbered_record_key)
repeated_key_texts as (
    select line_item_id_text
    from {{ ref('stg_shop__orders') }}
    where not is_header_row
    group by line_item_id_text
    having count(*) > 1
),

key_text_ranks as (
    select
        repeated_lines.row_fingerprint,
        repeated_lines.source_file,
        repeated_lines.copy_number,
        row_number() over (
            partition by repeated_lines.line_item_id_text
            order by
                coalesce(copy_ranks.copy_rank, 1), coalesce(key_ranks.key_occurrence, 1),
                repeated_lines.row_fingerprint
        ) as key_text_occurrence
    from {{ ref('stg_shop__orders') }} as repeated_lines
    inner join repeated_key_texts
        on repeated_lines.line_item_id_text is not distinct from repeated_key_texts.line_item_id_text
    left join copy_ranks
        on {{ same_raw_line('repeated_lines', 'copy_ranks') }}
    left join key_ranks
        on {{ same_raw_line('repeated_lines', 'key_ranks') }}
    where not repeated_lines.is_header_row
),

keyed as (
    select
        orders.*,
        coalesce(copy_ranks.copy_rank, 1) as copy_rank,
        coalesce(key_ranks.key_occurrence, 1) as key_occurrence,
        coalesce(key_text_ranks.key_text_occurrence, 1) as key_text_occurrence
    from orders
    left join copy_ranks
        on {{ same_raw_line('orders', 'copy_ranks') }}
    left join key_ranks
        on {{ same_raw_line('orders', 'key_ranks') }}
    left join key_text_ranks
        on {{ same_raw_line('orders', 'key_text_ranks') }}
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
        {{ numbered_record_key('line_item_id_text', 'key_text_occurrence') }} as record_key,
        -- only a flagged line shows its detail in an issue row (as int_shop__events): alone at scale 100, 10.1-10.3 s
        -- with the text of every clean line, 7.6-8.8 s without
        {{ detail_when_flagged(flags, dbt.concat(["'price '", "coalesce(price_text, 'None')", "', created_at '",
            "coalesce(created_at_text, 'None')", "', paid_at '", "coalesce(paid_at_text, 'None')",
            "', file '", "source_file"])) }} as dq_detail,
        {%- for flag in flags %}
            dq_{{ flag }},
        {%- endfor %}
        {{ first_flag([
            'duplicate_row', 'missing_key', 'invalid_id', 'duplicate_key', 'unparseable_timestamp',
            'missing_timestamp', 'future_dated', 'null_price', 'unparseable_price', 'negative_price'
        ]) }} as quarantine_reason
    from checked
)

select * from final
