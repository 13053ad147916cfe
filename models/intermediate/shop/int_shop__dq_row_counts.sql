-- Raw rows per shop table, split into rows that reached the clean layer and rows that were quarantined.
-- Each part is counted on its own (not as a difference), so the "nothing is lost" test can fail.
with

users as (
    select * from {{ ref('int_shop__users') }}
),

items as (
    select * from {{ ref('int_shop__catalog_items') }}
),

orders as (
    select * from {{ ref('int_shop__orders_checked') }}
),

events as (
    select * from {{ ref('int_shop__events_checked') }}
),

per_table as (
    {%- for table_name in ['users', 'items', 'orders'] %}
        select
            '{{ table_name }}' as source_table,
            sum(copy_count) as raw_rows,
            sum(case when quarantine_reason is null then 1 else 0 end) as clean_rows,
            sum(case when quarantine_reason is null then copy_count - 1 else copy_count end) as quarantined_rows
        from {{ table_name }}

        union all
    {% endfor %}

    -- a raw events row is one parameter: a clean event reaches with its distinct parameter rows
    select
        'events' as source_table,
        sum(parameter_rows) as raw_rows,
        sum(case when quarantine_reason is null then distinct_parameter_rows else 0 end) as clean_rows,
        sum(
            case when quarantine_reason is null then duplicate_parameter_rows else parameter_rows end
        ) as quarantined_rows
    from events
),

final as (
    select
        {{ safe_cast_value('source_table', dbt.type_string()) }} as source_table,
        {{ safe_cast_value('raw_rows', dbt.type_bigint()) }} as raw_rows,
        {{ safe_cast_value('clean_rows', dbt.type_bigint()) }} as clean_rows,
        {{ safe_cast_value('quarantined_rows', dbt.type_bigint()) }} as quarantined_rows
    from per_table
)

select * from final
