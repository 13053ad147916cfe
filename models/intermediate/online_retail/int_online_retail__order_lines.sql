with

classified_lines as (

    select * from {{ ref('int_online_retail__invoice_lines_classified') }}

),

kept_lines as (

    select *
    from classified_lines
    where quarantine_reason is null

),

final as (

    select
        cast(line_key as {{ dbt.type_string() }}) as line_key,
        cast(invoice_no as {{ dbt.type_string() }}) as order_key,
        -- No accounts, so no merges: the customer on the line is the surviving customer.
        cast(customer_id as {{ dbt.type_bigint() }}) as customer_id,
        cast(customer_id as {{ dbt.type_bigint() }}) as source_customer_id,
        cast(item_id as {{ dbt.type_string() }}) as item_id,
        cast(description as {{ dbt.type_string() }}) as item_name,
        cast('uncategorised' as {{ dbt.type_string() }}) as category,
        cast(line_type as {{ dbt.type_string() }}) as line_type,
        is_product,
        cast(quantity as {{ dbt.type_int() }}) as quantity,
        cast(unit_price as decimal(18, 3)) as unit_price,
        cast(quantity * unit_price as decimal(18, 3)) as line_revenue,
        cast(invoiced_at as {{ dbt.type_timestamp() }}) as ordered_at,
        -- An invoice is raised when the goods are paid for: the invoice date is both.
        cast(invoiced_at as {{ dbt.type_timestamp() }}) as paid_at,
        cast(country as {{ dbt.type_string() }}) as country
    from kept_lines

)

select * from final
