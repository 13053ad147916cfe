with

order_lines as (

    select * from {{ ref('fct_order_lines') }}
    where line_class in ('product_sale', 'product_return')

),

items as (

    select * from {{ ref('dim_items') }}
    where is_product

),

item_totals as (

    select
        item_id,
        max(currency) as currency,
        sum(case when line_class = 'product_sale' then quantity else 0 end) as units_sold,
        -sum(case when line_class = 'product_return' then quantity else 0 end) as units_returned,
        sum(case when line_class = 'product_sale' then line_revenue else 0 end) as gross_revenue,
        -sum(case when line_class = 'product_return' then line_revenue else 0 end) as returns,
        count(distinct case when line_class = 'product_sale' then order_key end) as orders,
        count(distinct case when line_class = 'product_sale' then customer_id end) as buyers
    from order_lines
    group by item_id

),

products as (

    -- Names are not unique (13 catalog items are called 'apparatus'): items are identified and ranked by id,
    -- the catalog name is only shown beside it.
    select
        items.item_id,
        items.item_name,
        items.category,
        item_totals.currency,
        cast(item_totals.units_sold as {{ dbt.type_bigint() }}) as units_sold,
        cast(item_totals.units_returned as {{ dbt.type_bigint() }}) as units_returned,
        cast(item_totals.units_sold - item_totals.units_returned as {{ dbt.type_bigint() }}) as net_units,
        item_totals.gross_revenue,
        item_totals.returns,
        item_totals.gross_revenue - item_totals.returns as net_revenue,
        cast(item_totals.orders as {{ dbt.type_int() }}) as orders,
        cast(item_totals.buyers as {{ dbt.type_int() }}) as buyers
    from item_totals
    inner join items
        on item_totals.item_id = items.item_id

),

ranked as (

    -- row_number with item_id as the last sort key: no two items share a rank and a rank never moves between
    -- two builds of the same data (rank() would leave ties to the engine's row order).
    select
        *,
        row_number() over (order by net_units desc, item_id asc) as rank_by_units,
        row_number() over (order by net_revenue desc, item_id asc) as rank_by_revenue,
        row_number() over (order by buyers desc, item_id asc) as rank_by_buyers,
        row_number() over (partition by category order by net_units desc, item_id asc) as rank_in_category
    from products

),

final as (

    select
        item_id,
        item_name,
        category,
        units_sold,
        units_returned,
        net_units,
        currency,
        {{ money('gross_revenue') }} as gross_revenue,
        {{ money('returns') }} as returns,
        {{ money('net_revenue') }} as net_revenue,
        orders,
        buyers,
        cast(rank_by_units as {{ dbt.type_int() }}) as rank_by_units,
        cast(rank_by_revenue as {{ dbt.type_int() }}) as rank_by_revenue,
        cast(rank_by_buyers as {{ dbt.type_int() }}) as rank_by_buyers,
        cast(rank_in_category as {{ dbt.type_int() }}) as rank_in_category
    from ranked

)

select * from final
