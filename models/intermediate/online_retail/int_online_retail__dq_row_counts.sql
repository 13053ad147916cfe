with

classified_lines as (

    select * from {{ ref('int_online_retail__invoice_lines_classified') }}

),

order_lines as (

    select * from {{ ref('int_online_retail__order_lines') }}

),

dq_issues as (

    select * from {{ ref('int_online_retail__dq_issues') }}

),

-- Each count comes from a different model, so the raw = clean + quarantined test checks that no row is
-- lost or counted twice between them, instead of re-adding one model's own numbers.
raw_count as (

    select count(*) as raw_rows
    from classified_lines

),

clean_count as (

    select count(*) as clean_rows
    from order_lines

),

quarantined_count as (

    select count(*) as quarantined_rows
    from dq_issues
    where action = 'quarantined'

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
