with

order_lines as (

    select * from {{ ref('int_order_lines') }}

),

items as (

    select * from {{ ref('int_items') }}

),

line_classes as (

    select * from {{ ref('line_classes') }}

),

source_currencies as (

    -- The active source only (a bad source_system has already failed at the ref above).
    select currency from {{ ref('source_currencies') }}
    where source_system = {{ dbt.string_literal(source_system()) }}

),

classified as (

    -- Each line is classified once, here, from the seed line_classes (by item kind and line type); every
    -- revenue mart reads line_class instead of deciding again.
    select
        order_lines.*,
        items.item_kind,
        line_classes.line_class,
        line_classes.adjustment_kind
    from order_lines
    left join items
        on order_lines.item_id = items.item_id
    left join line_classes
        on
            items.item_kind = line_classes.item_kind
            and order_lines.line_type = line_classes.line_type

),

flagged as (

    select
        classified.line_key,
        classified.order_key,
        classified.customer_id,
        classified.source_customer_id,
        classified.item_id,
        classified.item_name,
        classified.category,
        classified.item_kind,
        classified.is_product,
        classified.line_type,
        classified.line_type = 'sale' as is_sale,
        classified.line_type = 'return' as is_return,
        classified.line_class,
        classified.adjustment_kind,
        classified.customer_id is null as is_guest,
        classified.quantity,
        classified.unit_price,
        classified.line_revenue,
        -- A scalar subquery, not a join: a source missing from the seed gives a null that the not_null
        -- constraint refuses, instead of an empty table.
        (select source_currencies.currency from source_currencies) as currency,
        classified.ordered_at,
        classified.paid_at,
        -- Every period mart needs one date per money line: a sale counts when paid; a credit or bookkeeping
        -- line that carries no payment date is dated by its order so it never drops out of a period.
        case
            when classified.line_class = 'unpaid' then null
            when classified.line_type = 'sale' then classified.paid_at
            else coalesce(classified.paid_at, classified.ordered_at)
        end as recognised_at,
        classified.country
    from classified

),

final as (

    select * from flagged

)

select * from final
