-- The floor, Online Retail part: the UCI invoice lines' cleaning rules as one plain DuckDB script, no dbt.
-- Input: variable online_retail_csv (.csv or .csv.gz). Output: table lines (one clean order line) for floor_common.sql.

-- Exact duplicate raw rows are extra copies of one line: keep one.
create or replace table raw_lines as
select distinct *
from read_csv(getvariable('online_retail_csv'), all_varchar = true, header = true);

create or replace table lines as
with typed as (
    select
        trim(invoiceno) as order_key,
        try_cast(try_cast(nullif(trim(customerid), '') as double) as bigint) as customer_id,
        -- Stock codes are also written in lower case (`15056bl` for `15056BL`): one item.
        upper(trim(stockcode)) as item_id,
        try_cast(quantity as integer) as quantity,
        try_cast(unitprice as decimal(18, 3)) as unit_price,
        -- The UCI xlsx export writes `12/1/2010 8:26`, the csv `2010-12-01 08:26:00`.
        coalesce(
            try_strptime(trim(invoicedate), '%Y-%m-%d %H:%M:%S'),
            try_strptime(trim(invoicedate), '%Y-%m-%d %H:%M'),
            try_strptime(trim(invoicedate), '%m/%d/%Y %H:%M')
        ) as invoiced_at
    from raw_lines
),

classified as (
    select
        *,
        -- A C invoice credits what an earlier one charged. Quarantined (no line type): negative prices,
        -- zero quantities, negative quantities outside a cancellation and positive ones inside one.
        case
            when unit_price < 0 then null
            when starts_with(order_key, 'C') and quantity < 0 then 'return'
            when not starts_with(order_key, 'C') and quantity > 0 then 'sale'
        end as line_type
    from typed
)

select
    order_key,
    customer_id,
    item_id,
    line_type,
    -- Postage, manual adjustments, discounts, bad debt, samples, fees and vouchers are not products.
    not coalesce(
        item_id in ('POST', 'DOT', 'C2', 'M', 'D', 'B', 'S', 'PADS', 'CRUK', 'AMAZONFEE', 'BANK CHARGES')
        or starts_with(item_id, 'GIFT_0001_')
        or starts_with(item_id, 'DCGS'),
        false
    ) as is_product,
    quantity,
    unit_price,
    invoiced_at as paid_at
from classified
where line_type is not null and invoiced_at is not null;
