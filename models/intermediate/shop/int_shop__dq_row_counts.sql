-- Raw rows per shop table, split into rows that reached the clean layer and rows that were quarantined.
-- Each part is counted on its own model (raw rows on staging, clean and quarantined rows on the checked
-- models), not as a difference, so the "nothing is lost" test can fail.
with

staged as (
    {%- for table_name in ['users', 'items', 'orders', 'events'] %}
        select
            '{{ table_name }}' as source_table,
            count(*) as raw_rows
        from {{ ref('stg_shop__' ~ table_name) }}
        where not is_header_row
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

checked as (
    {%- for table_name, model in [
        ('users', 'int_shop__users'), ('items', 'int_shop__catalog_items'), ('orders', 'int_shop__orders_checked')
    ] %}
        select
            '{{ table_name }}' as source_table,
            sum(case when quarantine_reason is null then 1 else 0 end) as clean_rows,
            sum(case when quarantine_reason is null then 0 else 1 end) as quarantined_rows
        from {{ ref(model) }}
        union all
    {%- endfor %}

    -- a raw events row is one parameter: a clean event reaches with its distinct parameter rows
    select
        'events' as source_table,
        sum(case when quarantine_reason is null then distinct_parameter_rows else 0 end) as clean_rows,
        sum(
            case when quarantine_reason is null then duplicate_parameter_rows else parameter_rows end
        ) as quarantined_rows
    from {{ ref('int_shop__events_checked') }}
),

final as (
    select
        {{ safe_cast_value('staged.source_table', dbt.type_string()) }} as source_table,
        {{ safe_cast_value('staged.raw_rows', dbt.type_bigint()) }} as raw_rows,
        {{ safe_cast_value('coalesce(checked.clean_rows, 0)', dbt.type_bigint()) }} as clean_rows,
        {{ safe_cast_value('coalesce(checked.quarantined_rows, 0)', dbt.type_bigint()) }} as quarantined_rows
    from staged
    left join checked on staged.source_table = checked.source_table
)

select * from final
