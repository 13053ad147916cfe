{{ config(materialized=classified_lines_materialization()) }}
with

invoice_lines as (

    select * from {{ ref('stg_online_retail__invoice_lines') }}

),

-- Read apart from invoice_lines: a CTE read twice is materialized by DuckDB, a copy of every staged line made
-- again by each reader of this view.
items_written as (

    select distinct item_id
    from {{ ref('stg_online_retail__invoice_lines') }}
    where item_id is not null

),

non_product_codes as (

    select * from {{ ref('non_product_stock_codes') }}

),

item_kind_matches as (

    select
        items_written.item_id,
        non_product_codes.item_kind,
        non_product_codes.negative_price_allowed,
        non_product_codes.meaning,
        -- A code could match an exact entry and a prefix entry: the longest (most specific) entry wins.
        row_number() over (
            partition by items_written.item_id
            order by length(non_product_codes.stock_code) desc, non_product_codes.stock_code asc
        ) as match_rank
    from items_written
    inner join non_product_codes
        on (
            non_product_codes.match_type = 'exact'
            and items_written.item_id = non_product_codes.stock_code
        )
        or (
            non_product_codes.match_type = 'prefix'
            and substring(items_written.item_id, 1, length(non_product_codes.stock_code))
            = non_product_codes.stock_code
        )

),

item_kinds as (

    select
        item_id,
        item_kind,
        negative_price_allowed,
        meaning as item_kind_meaning
    from item_kind_matches
    where match_rank = 1

),

flagged as (

    select
        invoice_lines.*,
        coalesce(item_kinds.item_kind, 'product') as item_kind,
        item_kinds.item_kind_meaning,
        item_kinds.item_kind is null as is_product,
        -- One flag per check of the seed dq_reason_codes (online_retail); the flags are independent, the
        -- quarantine precedence is first_flag's order below.
        invoice_lines.copy_number > 1 as dq_duplicate_row,
        (
            invoice_lines.invoice_no is null
            or invoice_lines.stock_code is null
            or invoice_lines.quantity_text is null
            or invoice_lines.unit_price_text is null
            or invoice_lines.invoice_date_text is null
        ) as dq_missing_value,
        (
            invoice_lines.quantity is null
            or invoice_lines.unit_price is null
            or invoice_lines.invoiced_at is null
            or (invoice_lines.customer_id_text is not null and invoice_lines.customer_id is null)
        ) as dq_unparseable_value,
        -- A bad-debt write-off is keyed as a negative price (seed): both sides of the pair stay, as adjustments.
        coalesce(
            invoice_lines.unit_price < 0 and not coalesce(item_kinds.negative_price_allowed, false), false
        ) as dq_negative_price,
        coalesce(not invoice_lines.is_cancellation and invoice_lines.quantity < 0, false) as dq_negative_quantity,
        coalesce(invoice_lines.quantity = 0, false) as dq_zero_quantity,
        coalesce(invoice_lines.is_cancellation and invoice_lines.quantity > 0, false) as dq_positive_cancellation,
        item_kinds.item_kind is not null as dq_non_product,
        coalesce(invoice_lines.unit_price = 0, false) as dq_zero_price,
        invoice_lines.customer_id is null as dq_guest_line,
        invoice_lines.description is null as dq_missing_description,
        invoice_lines.is_price_rounded as dq_price_rounded,
        coalesce(invoice_lines.stock_code <> invoice_lines.item_id, false) as dq_stock_code_case
    from invoice_lines
    left join item_kinds
        on invoice_lines.item_id = item_kinds.item_id

),

classified as (

    select
        *,
        -- One reason per quarantined row, in this order: a copy is a copy whatever else is wrong with it,
        -- then rows that cannot be read, then the value rules of docs/interface.md.
        {{ first_flag([
            'duplicate_row', 'missing_value', 'unparseable_value', 'negative_price', 'negative_quantity',
            'zero_quantity', 'positive_cancellation'
        ]) }} as quarantine_reason
    from flagged

),

final as (

    select
        *,
        -- The text of the quarantine reason, or of the first flag of a kept line (each flag of a kept line
        -- has its own text in int_online_retail__dq_issues).
        {{ online_retail_dq_detail("coalesce(quarantine_reason, " ~ first_flag([
            'non_product', 'zero_price', 'guest_line', 'missing_description', 'price_rounded', 'stock_code_case'
        ]) ~ ")") }} as dq_detail,
        case
            when quarantine_reason is not null then null
            -- A C invoice credits what an earlier invoice charged: a return, whatever the item.
            when is_cancellation then 'return'
            -- A kept negative price is not a sale (docs/interface.md: unit price >= 0): the seed line_classes
            -- classifies it by its item kind.
            when unit_price < 0 then 'other'
            else 'sale'
        end as line_type
    from classified

)

select * from final
