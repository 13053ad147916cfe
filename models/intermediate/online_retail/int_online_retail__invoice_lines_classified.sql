with

invoice_lines as (

    select * from {{ ref('stg_online_retail__invoice_lines') }}

),

non_product_codes as (

    select * from {{ ref('non_product_stock_codes') }}

),

items_written as (

    select distinct item_id
    from invoice_lines
    where item_id is not null

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

classified as (

    select
        invoice_lines.*,
        coalesce(item_kinds.item_kind, 'product') as item_kind,
        item_kinds.item_kind_meaning,
        item_kinds.item_kind is null as is_product,
        -- One reason per quarantined row, in this order: a copy is a copy whatever else is wrong with it,
        -- then rows that cannot be read, then the value rules of docs/interface.md.
        case
            when invoice_lines.copy_number > 1 then 'duplicate_row'
            when
                invoice_lines.invoice_no is null
                or invoice_lines.stock_code is null
                or invoice_lines.quantity_text is null
                or invoice_lines.unit_price_text is null
                or invoice_lines.invoice_date_text is null
                then 'missing_value'
            when
                invoice_lines.quantity is null
                or invoice_lines.unit_price is null
                or invoice_lines.invoiced_at is null
                or (invoice_lines.customer_id_text is not null and invoice_lines.customer_id is null)
                then 'unparseable_value'
            -- A bad-debt write-off is keyed as a negative price (seed): both sides of the pair stay, as adjustments.
            when invoice_lines.unit_price < 0 and not coalesce(item_kinds.negative_price_allowed, false)
                then 'negative_price'
            when not invoice_lines.is_cancellation and invoice_lines.quantity < 0 then 'negative_quantity'
            when invoice_lines.quantity = 0 then 'zero_quantity'
            when invoice_lines.is_cancellation and invoice_lines.quantity > 0 then 'positive_cancellation'
        end as quarantine_reason
    from invoice_lines
    left join item_kinds
        on invoice_lines.item_id = item_kinds.item_id

),

final as (

    select
        *,
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
