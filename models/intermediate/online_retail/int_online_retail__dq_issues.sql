{%- set text = dbt.type_string() -%}
with

classified_lines as (

    select * from {{ ref('int_online_retail__invoice_lines_classified') }}

),

quarantined as (

    select
        record_key,
        quarantine_reason as reason_code,
        'quarantined' as action,
        case quarantine_reason
            when 'duplicate_row'
                then {{ dbt.concat([
                    "'copy '", dbt.safe_cast('copy_number', text), "' of line '", "line_key"
                ]) }}
            when 'missing_value'
                then {{ dbt.concat([
                    "'empty field(s):'",
                    "case when invoice_no is null then ' InvoiceNo' else '' end",
                    "case when stock_code is null then ' StockCode' else '' end",
                    "case when quantity_text is null then ' Quantity' else '' end",
                    "case when unit_price_text is null then ' UnitPrice' else '' end",
                    "case when invoice_date_text is null then ' InvoiceDate' else '' end"
                ]) }}
            when 'unparseable_value'
                then {{ dbt.concat([
                    "'unreadable:'",
                    "case when quantity is null then ' Quantity=' || quantity_text else '' end",
                    "case when unit_price is null then ' UnitPrice=' || unit_price_text else '' end",
                    "case when invoiced_at is null then ' InvoiceDate=' || invoice_date_text else '' end",
                    "case when customer_id_text is not null and customer_id is null"
                    ~ " then ' CustomerID=' || customer_id_text else '' end"
                ]) }}
            when 'negative_price'
                then {{ dbt.concat([
                    "'unit price '", dbt.safe_cast('unit_price', text),
                    "' on invoice '", "invoice_no", "' stock code '", "stock_code"
                ]) }}
            when 'negative_quantity'
                then {{ dbt.concat([
                    "'quantity '", dbt.safe_cast('quantity', text),
                    "' on non-cancellation invoice '", "invoice_no",
                    "' ('", "coalesce(description, 'no description')", "')'"
                ]) }}
            else {{ dbt.concat([
                "'quantity '", dbt.safe_cast('quantity', text), "' on invoice '", "invoice_no"
            ]) }}
        end as detail
    from classified_lines
    where quarantine_reason is not null

),

kept as (

    select *
    from classified_lines
    where quarantine_reason is null

),

non_product as (

    select
        record_key,
        'non_product' as reason_code,
        'kept_flagged' as action,
        {{ dbt.concat([
            "'stock code '", "stock_code", "': '", "item_kind", "' - '", "coalesce(item_kind_meaning, '')"
        ]) }} as detail
    from kept
    where not is_product

),

zero_price as (

    select
        record_key,
        'zero_price' as reason_code,
        'kept_flagged' as action,
        {{ dbt.concat([
            "'unit price 0 for '", dbt.safe_cast('quantity', text), "' x '", "stock_code"
        ]) }} as detail
    from kept
    where unit_price = 0

),

guest_line as (

    select
        record_key,
        'guest_line' as reason_code,
        'kept_flagged' as action,
        {{ dbt.concat(["'no CustomerID on invoice '", "invoice_no"]) }} as detail
    from kept
    where customer_id is null

),

missing_description as (

    select
        record_key,
        'missing_description' as reason_code,
        'kept_flagged' as action,
        {{ dbt.concat(["'no description for stock code '", "stock_code"]) }} as detail
    from kept
    where description is null

),

price_rounded as (

    select
        record_key,
        'price_rounded' as reason_code,
        'corrected' as action,
        {{ dbt.concat([
            "'unit price '", "unit_price_text", "' rounded to '", dbt.safe_cast('unit_price', text)
        ]) }} as detail
    from kept
    where is_price_rounded

),

stock_code_case as (

    select
        record_key,
        'stock_code_case' as reason_code,
        'corrected' as action,
        {{ dbt.concat(["'stock code '", "stock_code", "' read as item '", "item_id"]) }} as detail
    from kept
    where stock_code <> item_id

),

unioned as (

    select * from quarantined
    union all
    select * from non_product
    union all
    select * from zero_price
    union all
    select * from guest_line
    union all
    select * from missing_description
    union all
    select * from price_rounded
    union all
    select * from stock_code_case

),

final as (

    select
        cast('online_retail' as {{ text }}) as source_table,
        cast(record_key as {{ text }}) as record_key,
        cast(reason_code as {{ text }}) as reason_code,
        cast(action as {{ text }}) as action,
        cast(detail as {{ text }}) as detail
    from unioned

)

select * from final
