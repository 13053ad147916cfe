{{ config(enabled=var('source_system', 'shop') == 'shop') }}
-- "Nothing is lost", checked against counts taken straight from the raw files and the clean models (not from
-- the ledger's own arithmetic): raw rows in the ledger = rows in the file, clean rows = rows that are really
-- in the clean models, and raw = clean + quarantined. Returns one row per table that does not add up.
with

raw_counts as (
    select
        'users' as source_table,
        count(*) as file_rows
    from {{ source('shop', 'users') }}
    union all
    select
        'items' as source_table,
        count(*) as file_rows
    from {{ source('shop', 'items') }}
    union all
    select
        'orders' as source_table,
        count(*) as file_rows
    from {{ source('shop', 'orders') }}
    union all
    select
        'events' as source_table,
        count(*) as file_rows
    from {{ source('shop', 'events') }}
),

distinct_event_rows as (
    select distinct
        event_id,
        event_time,
        user_id,
        event_name,
        platform,
        parameter_name,
        parameter_value
    from {{ source('shop', 'events') }}
),

clean_event_ids as (
    select {{ safe_cast_value('event_id', dbt.type_string()) }} as event_id
    from {{ ref('int_shop__events') }}
),

clean_counts as (
    select
        'users' as source_table,
        count(*) as model_rows
    from {{ ref('int_shop__users') }}
    where quarantine_reason is null
    union all
    select
        'items' as source_table,
        count(*) as model_rows
    from {{ ref('int_shop__items') }}
    where not is_inferred
    union all
    select
        'orders' as source_table,
        count(*) as model_rows
    from {{ ref('int_shop__order_lines') }}
    union all
    -- a clean event reached with each of its distinct raw parameter rows
    select
        'events' as source_table,
        count(*) as model_rows
    from distinct_event_rows
    inner join clean_event_ids
        on {{ safe_cast_value(shop_id('distinct_event_rows.event_id'), dbt.type_string()) }} = clean_event_ids.event_id
),

ledger as (
    select * from {{ ref('int_shop__dq_row_counts') }}
),

compared as (
    select
        raw_counts.source_table,
        raw_counts.file_rows,
        clean_counts.model_rows,
        ledger.raw_rows,
        ledger.clean_rows,
        ledger.quarantined_rows
    from raw_counts
    left join clean_counts on raw_counts.source_table = clean_counts.source_table
    left join ledger on raw_counts.source_table = ledger.source_table
)

select *
from compared
where
    raw_rows is null
    or raw_rows <> file_rows
    or clean_rows <> model_rows
    or raw_rows <> clean_rows + quarantined_rows
