-- Case study question 1: which are the top 10 items? Answered three ways (net units, net revenue, buyers),
-- products only, from marts.item_rankings; ranks there are already tie-broken by item_id.
{%- set rankings = {'net_units': 'rank_by_units', 'net_revenue': 'rank_by_revenue', 'buyers': 'rank_by_buyers'} %}
with

item_rankings as (
    select * from {{ ref('item_rankings') }}
),

final as (
    {%- for ranked_by, rank_column in rankings.items() %}
        select
            '{{ ranked_by }}' as ranked_by,
            {{ rank_column }} as item_rank,
            item_id,
            item_name,
            category,
            net_units,
            net_revenue,
            buyers
        from item_rankings
        where {{ rank_column }} <= 10
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
)

select * from final
order by ranked_by, item_rank
