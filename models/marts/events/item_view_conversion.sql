-- Shop only: online_retail has no event log. A viewer converts when they buy the item at or after their first
-- view of it; buying it earlier is not a conversion of that view.
{{ config(enabled=var('source_system') == 'shop') }}

with

events as (
    select * from {{ ref('int_shop__events') }}
),

order_lines as (
    select * from {{ ref('int_order_lines') }}
),

items as (
    select * from {{ ref('int_items') }}
),

item_views as (
    select
        item_id,
        customer_id,
        event_at
    from events
    where
        event_name = 'view_item'
        and item_id is not null
        and customer_id is not null
),

item_viewers as (
    select
        item_id,
        customer_id,
        count(*) as views,
        min(event_at) as first_view_at
    from item_views
    group by item_id, customer_id
),

item_purchases as (
    select
        item_id,
        customer_id,
        max(paid_at) as last_paid_at
    from order_lines
    where
        line_type = 'sale'
        and customer_id is not null
    group by item_id, customer_id
),

item_totals as (
    select
        item_viewers.item_id,
        sum(item_viewers.views) as views,
        count(*) as viewers,
        sum(
            case when item_purchases.last_paid_at >= item_viewers.first_view_at then 1 else 0 end
        ) as buyers
    from item_viewers
    left join item_purchases
        on
            item_viewers.item_id = item_purchases.item_id
            and item_viewers.customer_id = item_purchases.customer_id
    group by item_viewers.item_id
),

final as (
    select
        cast(item_totals.item_id as {{ dbt.type_string() }}) as item_id,
        cast(items.item_name as {{ dbt.type_string() }}) as item_name,
        cast(items.category as {{ dbt.type_string() }}) as category,
        cast(item_totals.views as {{ dbt.type_bigint() }}) as views,
        cast(item_totals.viewers as {{ dbt.type_bigint() }}) as viewers,
        cast(item_totals.buyers as {{ dbt.type_bigint() }}) as buyers,
        cast(item_totals.buyers * 1e0 / nullif(item_totals.viewers, 0) as {{ type_double() }}) as conversion_rate
    from item_totals
    left join items
        on item_totals.item_id = items.item_id
)

select * from final
