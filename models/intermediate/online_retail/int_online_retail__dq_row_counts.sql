with

staged_lines as (

    select * from {{ ref('stg_online_retail__invoice_lines') }}

),

classified_lines as (

    select * from {{ ref('int_online_retail__invoice_lines_classified') }}

),

order_lines as (

    select * from {{ ref('int_online_retail__order_lines') }}

),

-- Each count comes from a different model (raw lines on staging, clean lines on the order lines, quarantined
-- lines on the classification), so raw = clean + quarantined can fail, and so can the check that the issues
-- model reports every quarantined line (quarantine_reported).
raw_count as (

    select count(*) as raw_rows
    from staged_lines

),

clean_count as (

    select count(*) as clean_rows
    from order_lines

),

quarantined_count as (

    select count(*) as quarantined_rows
    from classified_lines
    where quarantine_reason is not null

),

final as (

    select
        cast('online_retail' as {{ dbt.type_string() }}) as source_table,
        cast(raw_count.raw_rows as {{ dbt.type_bigint() }}) as raw_rows,
        cast(clean_count.clean_rows as {{ dbt.type_bigint() }}) as clean_rows,
        cast(quarantined_count.quarantined_rows as {{ dbt.type_bigint() }}) as quarantined_rows
    from raw_count
    cross join clean_count
    cross join quarantined_count

)

select * from final
