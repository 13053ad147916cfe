-- The floor, shop part: the shop's cleaning rules (docs/architecture.md) as one plain DuckDB script, no dbt.
-- Input: variables shop_raw_path (folder with users.csv, items.csv, orders.csv or orders_<period>.csv files)
-- and shop_extracted_at.
-- Output: table lines (one clean order line) for floor_common.sql. Events are not read: no core output needs them.

create or replace macro shop_null(s) as nullif(nullif(trim(s), 'None'), '');

-- `2014-12-20 07-07-45` is the export's odd style of `2014-12-20 07:07:45`.
create or replace macro shop_ts(s) as try_strptime(
    regexp_replace(shop_null(s), '^(\d{4}-\d{2}-\d{2} \d{2})-(\d{2})-(\d{2})$', '\1:\2:\3'),
    '%Y-%m-%d %H:%M:%S'
);

create or replace macro shop_id(s) as try_cast(try_cast(shop_null(s) as double) as bigint);

create or replace macro is_future(ts) as coalesce(ts > cast(getvariable('shop_extracted_at') as timestamp), false);

-- A future-dated users row is quarantined: it cannot be a link of a merge chain and its lines have no customer.
-- A user id written twice keeps its first version (by the raw text), like the staging model.
create or replace table users as
select
    shop_id(id) as user_id,
    shop_id(parent_user_id) as parent_user_id,
    is_future(shop_ts(created_at)) or is_future(shop_ts(deleted_at)) or is_future(shop_ts(merged_at)) as is_quarantined
from read_csv(getvariable('shop_raw_path') || '/users.csv', all_varchar = true, header = true)
where shop_id(id) is not null
qualify row_number() over (
    partition by shop_id(id)
    order by created_at, deleted_at, merged_at, parent_user_id, email_address, first_name, last_name
) = 1;

-- Merged accounts belong to the root of their chain (A -> B -> C: A and B are C); a parent that is not a clean
-- user ends the chain. A walk still going after 64 steps goes round a merge cycle: quarantined, no root.
create or replace table user_roots as
with recursive mergeable as (
    select
        user_id,
        parent_user_id
    from users
    where not is_quarantined
),

walk (user_id, current_id, steps) as (
    select
        user_id,
        user_id as current_id,
        0 as steps
    from mergeable
    union all
    select
        walk.user_id,
        link.parent_user_id as current_id,
        walk.steps + 1 as steps
    from walk
    inner join mergeable as link on walk.current_id = link.user_id
    inner join mergeable as parent on link.parent_user_id = parent.user_id
    where walk.steps < 64
)

select
    user_id,
    case when max(steps) < 64 then max_by(current_id, steps) end as root_id
from walk
group by user_id;

-- Catalog items priced 0 (the how-to-manuals) are free add-ons, not products, so item rankings leave them out.
create or replace table catalog_prices as
select
    cast(shop_id(id) as varchar) as item_id,
    bool_or(round(try_cast(shop_null(price) as double), 2) = 0) as is_free
from read_csv(getvariable('shop_raw_path') || '/items.csv', all_varchar = true, header = true)
group by all;

-- Exact duplicate raw lines are extra copies of one line: keep one. A line id written twice with different
-- content keeps its first version (by the raw text), like the staging model.
create or replace table raw_orders as
select *
from (
    select distinct *
    from read_csv(getvariable('shop_raw_path') || '/**/orders*.csv', all_varchar = true, header = true)
) as raw_lines
qualify row_number() over (
    partition by shop_id(line_item_id)
    order by invoice_id, user_id, item_id, item_name, item_category, price, created_at, paid_at
) = 1;

create or replace table lines as
with typed as (
    select
        shop_id(line_item_id) as line_id,
        cast(shop_id(invoice_id) as varchar) as order_key,
        shop_id(user_id) as source_customer_id,
        cast(shop_id(item_id) as varchar) as item_id,
        round(try_cast(shop_null(price) as double), 2) as price,
        shop_ts(created_at) as ordered_at,
        shop_ts(paid_at) as paid_at,
        (shop_null(created_at) is not null and shop_ts(created_at) is null)
        or (shop_null(paid_at) is not null and shop_ts(paid_at) is null) as has_bad_timestamp
    from raw_orders
),

-- Quarantined: no line id, unparseable or missing timestamps, future-dated, null or negative price.
kept as (
    select * from typed
    where
        line_id is not null
        and not has_bad_timestamp
        and ordered_at is not null
        and not is_future(ordered_at)
        and not is_future(paid_at)
        and price >= 0
)

select
    kept.order_key,
    -- A user id with no users row is an inferred customer of its own; a merged account is its root.
    case
        when users.user_id is null then kept.source_customer_id
        when not users.is_quarantined then user_roots.root_id
    end as customer_id,
    kept.item_id,
    case when kept.paid_at is not null then 'sale' else 'other' end as line_type,
    -- an item missing from items.csv is free only when every kept line of it is priced 0
    case
        when catalog_prices.item_id is not null then not catalog_prices.is_free
        else max(kept.price) over (partition by kept.item_id) > 0
    end as is_product,
    1 as quantity,
    cast(kept.price as decimal(18, 3)) as unit_price,
    kept.paid_at
from kept
left join users on kept.source_customer_id = users.user_id
left join user_roots on kept.source_customer_id = user_roots.user_id
left join catalog_prices on kept.item_id = catalog_prices.item_id;
