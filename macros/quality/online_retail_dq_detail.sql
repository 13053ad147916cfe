{#- The text of an Online Retail issue row for `reason` (a SQL expression giving a reason code), from the
    columns of int_online_retail__invoice_lines_classified: one definition for the checked model's dq_detail
    and for the issue rows of a kept line, whose several flags each say something different. -#}
{% macro online_retail_dq_detail(reason) -%}
    {%- set text = dbt.type_string() -%}
    case {{ reason }}
        when 'duplicate_row'
            then {{ dbt.concat(["'copy '", dbt.safe_cast('copy_number', text), "' of line '", "line_key"]) }}
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
        when 'zero_quantity'
            then {{ dbt.concat(["'quantity '", dbt.safe_cast('quantity', text), "' on invoice '", "invoice_no"]) }}
        when 'positive_cancellation'
            then {{ dbt.concat(["'quantity '", dbt.safe_cast('quantity', text), "' on invoice '", "invoice_no"]) }}
        when 'non_product'
            then {{ dbt.concat([
                "'stock code '", "stock_code", "': '", "item_kind", "' - '", "coalesce(item_kind_meaning, '')"
            ]) }}
        when 'zero_price'
            then {{ dbt.concat(["'unit price 0 for '", dbt.safe_cast('quantity', text), "' x '", "stock_code"]) }}
        when 'guest_line'
            then {{ dbt.concat(["'no CustomerID on invoice '", "invoice_no"]) }}
        when 'missing_description'
            then {{ dbt.concat(["'no description for stock code '", "stock_code"]) }}
        when 'price_rounded'
            then {{ dbt.concat([
                "'unit price '", "unit_price_text", "' rounded to '", dbt.safe_cast('unit_price', text)
            ]) }}
        when 'stock_code_case'
            then {{ dbt.concat(["'stock code '", "stock_code", "' read as item '", "item_id"]) }}
    end
{%- endmacro %}
