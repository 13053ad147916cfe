-- Case study question 1: which are the top 10 items? Answered three ways (net units, net revenue, buyers),
-- products only, from marts.item_rankings; ranks there are already tie-broken by item_id.
with

item_rankings as (
    select * from {{ ref('item_rankings') }}
),

by_units as (
    select
        'net_units' as ranked_by,
        rank_by_units as item_rank,
        item_id,
        item_name,
        category,
        net_units,
        net_revenue,
        buyers
    from item_rankings
    where rank_by_units <= 10
),

by_revenue as (
    select
        'net_revenue' as ranked_by,
        rank_by_revenue as item_rank,
        item_id,
        item_name,
        category,
        net_units,
        net_revenue,
        buyers
    from item_rankings
    where rank_by_revenue <= 10
),

by_buyers as (
    select
        'buyers' as ranked_by,
        rank_by_buyers as item_rank,
        item_id,
        item_name,
        category,
        net_units,
        net_revenue,
        buyers
    from item_rankings
    where rank_by_buyers <= 10
),

final as (
    select * from by_units
    union all
    select * from by_revenue
    union all
    select * from by_buyers
)

select * from final
order by ranked_by, item_rank
