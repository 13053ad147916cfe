with

classified_lines as (

    select * from {{ ref('int_online_retail__invoice_lines_classified') }}

),

item_kinds as (

    select distinct
        item_id,
        item_kind,
        is_product
    from classified_lines
    where quarantine_reason is null

),

name_counts as (

    select
        item_id,
        item_name,
        count(*) as lines
    -- the order lines are read by name in both counts: a CTE read twice is materialized by DuckDB, a copy of
    -- every clean line
    from {{ ref('int_online_retail__order_lines') }}
    where item_name is not null
    group by item_id, item_name

),

ranked_names as (

    select
        item_id,
        item_name,
        -- The same code is keyed with several spellings: the most used one names it, ties by the text.
        row_number() over (
            partition by item_id
            order by lines desc, item_name asc
        ) as name_rank
    from name_counts

),

price_counts as (

    select
        item_id,
        unit_price,
        sum(case when line_type = 'sale' then 1 else 0 end) as sale_lines,
        count(*) as lines
    from {{ ref('int_online_retail__order_lines') }}
    group by item_id, unit_price

),

ranked_prices as (

    select
        item_id,
        unit_price,
        row_number() over (
            partition by item_id
            -- An item that was only ever credited still needs a price: then its most frequent credit price.
            order by sale_lines desc, case when sale_lines = 0 then lines else 0 end desc, unit_price asc
        ) as price_rank
    from price_counts

),

final as (

    select
        cast(item_kinds.item_id as {{ dbt.type_string() }}) as item_id,
        cast(ranked_names.item_name as {{ dbt.type_string() }}) as item_name,
        cast('uncategorised' as {{ dbt.type_string() }}) as category,
        cast(ranked_prices.unit_price as decimal(18, 3)) as price,
        cast(item_kinds.item_kind as {{ dbt.type_string() }}) as item_kind,
        item_kinds.is_product,
        -- The source has no catalog: the item list is built from the lines, so no item is an anomaly.
        false as is_inferred
    from item_kinds
    left join ranked_names
        on
            item_kinds.item_id = ranked_names.item_id
            and ranked_names.name_rank = 1
    left join ranked_prices
        on
            item_kinds.item_id = ranked_prices.item_id
            and ranked_prices.price_rank = 1

)

select * from final
