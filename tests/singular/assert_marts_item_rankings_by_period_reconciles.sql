-- item_rankings_by_period must hold every product line exactly once per grain: each period's net revenue equals
-- that period's net_revenue in revenue_by_period, and each item's periods add up to its item_rankings row.
with

ranked_periods as (

    select
        period_grain,
        period_start,
        sum(net_revenue) as net_revenue
    from {{ ref('item_rankings_by_period') }}
    group by period_grain, period_start

),

statement_periods as (

    select
        period_grain,
        period_start,
        net_revenue
    from {{ ref('revenue_by_period') }}
    where period_grain in ('month', 'quarter', 'year')

),

period_mismatches as (

    select
        coalesce(statement_periods.period_grain, ranked_periods.period_grain) as period_grain,
        coalesce(statement_periods.period_start, ranked_periods.period_start) as period_start,
        cast(null as {{ dbt.type_string() }}) as item_id,
        coalesce(ranked_periods.net_revenue, 0) as ranked_value,
        coalesce(statement_periods.net_revenue, 0) as expected_value
    from statement_periods
    full outer join ranked_periods
        on
            statement_periods.period_grain = ranked_periods.period_grain
            and statement_periods.period_start = ranked_periods.period_start
    where coalesce(ranked_periods.net_revenue, 0) != coalesce(statement_periods.net_revenue, 0)

),

item_sums as (

    select
        period_grain,
        item_id,
        sum(net_units) as net_units,
        sum(net_revenue) as net_revenue
    from {{ ref('item_rankings_by_period') }}
    group by period_grain, item_id

),

item_mismatches as (

    select
        item_sums.period_grain,
        cast(null as date) as period_start,
        coalesce(item_sums.item_id, item_rankings.item_id) as item_id,
        coalesce(item_sums.net_revenue, 0) as ranked_value,
        coalesce(item_rankings.net_revenue, 0) as expected_value
    from item_sums
    full outer join {{ ref('item_rankings') }} as item_rankings
        on item_sums.item_id = item_rankings.item_id
    where
        item_sums.item_id is null
        or item_rankings.item_id is null
        or item_sums.net_units != item_rankings.net_units
        or item_sums.net_revenue != item_rankings.net_revenue

),

final as (

    select * from period_mismatches
    union all
    select * from item_mismatches

)

select * from final
