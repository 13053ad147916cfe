-- One row per landed raw file of the append-only tables (orders, events) with its row count, taken straight
-- from the file when it was read. Incremental like the models that read those files, so the "nothing is lost"
-- test and the "every file loaded" test compare against it instead of re-reading every file on every run.
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='source_file',
        on_schema_change='fail'
    )
}}
with

orders as (
    select * from {{ ref('stg_shop__orders') }}
    {%- if is_incremental() %}
        where {{ late_arrival_files_filter('orders', "source_table = 'orders'") }}
    {%- endif %}
),

events as (
    select * from {{ ref('stg_shop__events') }}
    {%- if is_incremental() %}
        where {{ late_arrival_files_filter('events', "source_table = 'events'") }}
    {%- endif %}
),

per_file as (
    select
        'orders' as source_table,
        source_file,
        landed_on,
        count(*) as raw_rows
    from orders
    group by source_file, landed_on

    union all

    select
        'events' as source_table,
        source_file,
        landed_on,
        count(*) as raw_rows
    from events
    group by source_file, landed_on
),

final as (
    select
        {{ safe_cast_value('source_table', dbt.type_string()) }} as source_table,
        {{ safe_cast_value('source_file', dbt.type_string()) }} as source_file,
        landed_on,
        {{ safe_cast_value('raw_rows', dbt.type_bigint()) }} as raw_rows
    from per_file
)

select * from final
