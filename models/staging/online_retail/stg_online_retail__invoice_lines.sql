{{ check_online_retail_file([
    'InvoiceNo', 'StockCode', 'Description', 'Quantity', 'InvoiceDate', 'UnitPrice', 'CustomerID', 'Country'
]) }}

with

source as (

    select * from {{ source('online_retail', 'online_retail') }}

),

trimmed as (

    select
        invoiceno as raw_invoice_no,
        stockcode as raw_stock_code,
        description as raw_description,
        quantity as raw_quantity,
        invoicedate as raw_invoice_date,
        unitprice as raw_unit_price,
        customerid as raw_customer_id,
        country as raw_country,
        nullif(trim(invoiceno), '') as invoice_no,
        nullif(trim(stockcode), '') as stock_code,
        nullif(trim(description), '') as description,
        nullif(trim(quantity), '') as quantity_text,
        nullif(trim(invoicedate), '') as invoice_date_text,
        nullif(trim(unitprice), '') as unit_price_text,
        nullif(trim(customerid), '') as customer_id_text,
        nullif(trim(country), '') as country
    from source

),

-- DuckDB materializes this CTE (it is read three times): the untrimmed raw text stays out of it, it is only
-- needed for the fingerprints.
fingerprinted as (

    select
        invoice_no,
        stock_code,
        description,
        quantity_text,
        invoice_date_text,
        unit_price_text,
        customer_id_text,
        country,
        -- Exact duplicates are copies of all eight raw fields as written, so the fingerprint reads the
        -- untrimmed text, with a marker that keeps an empty field apart from a missing one.
        {{ dbt.hash(dbt.concat([
            "coalesce(raw_invoice_no, '<null>')", "'|'",
            "coalesce(raw_stock_code, '<null>')", "'|'",
            "coalesce(raw_description, '<null>')", "'|'",
            "coalesce(raw_quantity, '<null>')", "'|'",
            "coalesce(raw_invoice_date, '<null>')", "'|'",
            "coalesce(raw_unit_price, '<null>')", "'|'",
            "coalesce(raw_customer_id, '<null>')", "'|'",
            "coalesce(raw_country, '<null>')"
        ])) }} as row_fingerprint,
        -- A 64-bit hash of the same fields finds the repeated lines cheaply; the text fingerprint above
        -- still tells them apart, so a hash collision cannot number two different lines as copies.
        {{ row_fingerprint([
            'raw_invoice_no', 'raw_stock_code', 'raw_description', 'raw_quantity', 'raw_invoice_date',
            'raw_unit_price', 'raw_customer_id', 'raw_country'
        ]) }} as row_hash
    from trimmed

),

repeated_hashes as (

    select row_hash
    from fingerprinted
    group by row_hash
    having count(*) > 1

),

-- Exact copies are rare (1% of the real file): only the lines written more than once are numbered, instead
-- of a window over every line.
single_lines as (

    select
        fingerprinted.*,
        1 as copy_number
    from fingerprinted
    left join repeated_hashes
        on fingerprinted.row_hash = repeated_hashes.row_hash
    where repeated_hashes.row_hash is null

),

repeated_lines as (

    select
        fingerprinted.*,
        -- Copies are identical in every field, so any order numbers them the same way.
        row_number() over (
            partition by fingerprinted.row_fingerprint
            order by fingerprinted.row_fingerprint
        ) as copy_number
    from fingerprinted
    inner join repeated_hashes
        on fingerprinted.row_hash = repeated_hashes.row_hash

),

keyed as (

    select
        *,
        {{ dbt.concat(["coalesce(invoice_no, '')", "'-'", "substring(row_fingerprint, 1, 16)"]) }} as line_key
    from (
        select * from single_lines
        union all
        select * from repeated_lines
    ) as numbered

),

typed as (

    select
        *,
        {{ dbt.safe_cast('quantity_text', dbt.type_float()) }} as quantity_number,
        {{ dbt.safe_cast('unit_price_text', dbt.type_float()) }} as unit_price_number,
        {{ dbt.safe_cast('customer_id_text', dbt.type_float()) }} as customer_id_number,
        -- The file comes in two date styles (ISO, and month/day/year from the UCI xlsx export).
        {{ parse_invoice_timestamp('invoice_date_text') }} as invoiced_at
    from keyed

),

final as (

    select
        case
            when copy_number = 1 then line_key
            else {{ dbt.concat(["line_key", "'#'", dbt.safe_cast('copy_number', dbt.type_string())]) }}
        end as record_key,
        line_key,
        cast(copy_number as {{ dbt.type_int() }}) as copy_number,
        invoice_no,
        coalesce(invoice_no like 'C%', false) as is_cancellation,
        stock_code,
        -- 111 stock codes are also written in lower case (`15056bl` for `15056BL`, same product): one item.
        upper(stock_code) as item_id,
        description,
        case
            when quantity_number = round(quantity_number)
                then {{ dbt.safe_cast('quantity_number', dbt.type_int()) }}
        end as quantity,
        {{ dbt.safe_cast('unit_price_text', 'decimal(18, 3)') }} as unit_price,
        coalesce(unit_price_number <> round(unit_price_number, 3), false) as is_price_rounded,
        case
            when customer_id_number = round(customer_id_number)
                then {{ dbt.safe_cast('customer_id_number', dbt.type_bigint()) }}
        end as customer_id,
        country,
        invoiced_at,
        quantity_text,
        unit_price_text,
        invoice_date_text,
        customer_id_text
    from typed

)

select * from final
