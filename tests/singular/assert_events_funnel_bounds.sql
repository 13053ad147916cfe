-- Shop only. A funnel narrows: buyers are a subset of viewers, on every platform and for every item.
{{ config(enabled=var('source_system') == 'shop') }}

with

platform_problems as (
    select
        'platform' as level,
        platform as member
    from {{ ref('funnel_by_platform') }}
    where
        viewers_who_bought > viewers
        or viewers > views
        or viewers_who_bought > purchases
),

item_problems as (
    select
        'item' as level,
        item_id as member
    from {{ ref('item_view_conversion') }}
    where
        buyers > viewers
        or viewers > views
),

final as (
    select * from platform_problems
    union all
    select * from item_problems
)

select * from final
