-- Shop only: online_retail has no event log. Orders carry no platform, so a purchase is attributed to every
-- platform on which its buyer had viewed an item before paying (a multi-platform user counts on each).
{{ config(enabled=var('source_system') == 'shop') }}

with

events as (
    select * from {{ ref('int_shop__events') }}
),

order_lines as (
    select * from {{ ref('int_order_lines') }}
),

item_views as (
    -- a view without a user cannot be linked to a purchase
    select
        platform,
        customer_id,
        event_at
    from events
    where
        event_name = 'view_item'
        and customer_id is not null
),

viewers as (
    select
        platform,
        customer_id,
        count(*) as views,
        min(event_at) as first_view_at
    from item_views
    group by platform, customer_id
),

sale_orders as (
    select
        order_key,
        min(customer_id) as customer_id,
        min(paid_at) as paid_at
    from order_lines
    where
        line_type = 'sale'
        and customer_id is not null
    group by order_key
),

viewer_purchases as (
    select
        viewers.platform,
        viewers.customer_id,
        count(sale_orders.order_key) as purchases
    from viewers
    left join sale_orders
        on
            viewers.customer_id = sale_orders.customer_id
            and viewers.first_view_at <= sale_orders.paid_at
    group by viewers.platform, viewers.customer_id
),

platform_totals as (
    select
        viewers.platform,
        sum(viewers.views) as views,
        count(*) as viewers,
        sum(case when viewer_purchases.purchases > 0 then 1 else 0 end) as viewers_who_bought,
        sum(viewer_purchases.purchases) as purchases
    from viewers
    inner join viewer_purchases
        on
            viewers.platform = viewer_purchases.platform
            and viewers.customer_id = viewer_purchases.customer_id
    group by viewers.platform
),

final as (
    select
        cast(platform as {{ dbt.type_string() }}) as platform,
        cast(views as {{ dbt.type_bigint() }}) as views,
        cast(viewers as {{ dbt.type_bigint() }}) as viewers,
        cast(viewers_who_bought as {{ dbt.type_bigint() }}) as viewers_who_bought,
        cast(viewers_who_bought * 1e0 / nullif(viewers, 0) as {{ type_double() }}) as viewer_conversion_rate,
        cast(purchases as {{ dbt.type_bigint() }}) as purchases,
        cast(views * 1e0 / nullif(purchases, 0) as {{ type_double() }}) as views_per_purchase,
        cast(views * 1e0 / nullif(viewers, 0) as {{ type_double() }}) as views_per_viewer
    from platform_totals
)

select * from final
