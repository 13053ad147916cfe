{%- set period_grains = ['month', 'quarter', 'year'] -%}

with

order_lines as (

    select * from {{ ref('fct_order_lines') }}
    where line_class in ('product_sale', 'product_return')

),

items as (

    select * from {{ ref('dim_items') }}
    where is_product

),

by_grain as (

    -- One copy of every product line per grain, dated by the start of its period (sales when paid, returns
    -- when credited: the same dates as revenue_by_period).
    {% for period_grain in period_grains %}
        select
            '{{ period_grain }}' as period_grain,
            cast({{ dbt.date_trunc(period_grain, 'recognised_at') }} as date) as period_start,
            item_id,
            customer_id,
            line_class,
            quantity,
            line_revenue,
            currency
        from order_lines
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

item_periods as (

    select
        period_grain,
        period_start,
        item_id,
        max(currency) as currency,
        sum(case when line_class = 'product_sale' then quantity else 0 end) as units_sold,
        -sum(case when line_class = 'product_return' then quantity else 0 end) as units_returned,
        sum(case when line_class = 'product_sale' then line_revenue else 0 end) as gross_revenue,
        -sum(case when line_class = 'product_return' then line_revenue else 0 end) as returns,
        count(distinct case when line_class = 'product_sale' then customer_id end) as buyers
    from by_grain
    group by period_grain, period_start, item_id

),

products as (

    -- Products only (the items filter), identified by id: the catalog name is only shown beside it.
    select
        item_periods.period_grain,
        item_periods.period_start,
        item_periods.item_id,
        items.item_name,
        items.category,
        item_periods.currency,
        item_periods.units_sold,
        item_periods.units_returned,
        item_periods.units_sold - item_periods.units_returned as net_units,
        item_periods.gross_revenue,
        item_periods.returns,
        item_periods.gross_revenue - item_periods.returns as net_revenue,
        item_periods.buyers
    from item_periods
    inner join items
        on item_periods.item_id = items.item_id

),

ranked as (

    -- As in item_rankings: row_number with item_id last, so no two items of a period share a rank and a
    -- rank never moves between two builds of the same data.
    select
        *,
        row_number() over (
            partition by period_grain, period_start order by net_units desc, item_id asc
        ) as rank_by_units,
        row_number() over (
            partition by period_grain, period_start order by net_revenue desc, item_id asc
        ) as rank_by_revenue,
        row_number() over (
            partition by period_grain, period_start order by buyers desc, item_id asc
        ) as rank_by_buyers
    from products

),

final as (

    select
        period_grain,
        period_start,
        item_id,
        item_name,
        category,
        currency,
        cast(units_sold as {{ dbt.type_bigint() }}) as units_sold,
        cast(units_returned as {{ dbt.type_bigint() }}) as units_returned,
        cast(net_units as {{ dbt.type_bigint() }}) as net_units,
        {{ money('gross_revenue') }} as gross_revenue,
        {{ money('returns') }} as returns,
        {{ money('net_revenue') }} as net_revenue,
        cast(buyers as {{ dbt.type_int() }}) as buyers,
        cast(rank_by_units as {{ dbt.type_int() }}) as rank_by_units,
        cast(rank_by_revenue as {{ dbt.type_int() }}) as rank_by_revenue,
        cast(rank_by_buyers as {{ dbt.type_int() }}) as rank_by_buyers
    from ranked

)

select * from final
