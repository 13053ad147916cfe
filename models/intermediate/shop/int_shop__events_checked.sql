-- Every folded event with identity resolution and its anomaly checks (one quarantine reason at most). A table
-- over all landed files: identity changes history, so it stays downstream of the incremental fold.
with

folded as (
    select * from {{ ref('int_shop__events_folded') }}
),

-- a narrow second import: DuckDB materialises a CTE read twice, and `folded` is every event, every column
folded_keys as (
    select
        event_id,
        source_file
    from {{ ref('int_shop__events_folded') }}
),

-- an event id folded in two files (its rows did not land together): the first file's event is kept
first_files as (
    select
        event_id,
        min(source_file) as first_file
    from folded_keys
    group by event_id
    having count(*) > 1
),

events as (
    select
        folded.*,
        first_files.event_id is not null and folded.source_file <> first_files.first_file as is_split_copy
    from folded
    left join first_files on folded.event_id = first_files.event_id
),

catalog as (
    select * from {{ ref('int_shop__catalog_items') }}
),

known_users as (
    select * from {{ ref('int_shop__user_identity') }}
),

known_items as (
    select distinct {{ safe_cast_value('item_id', dbt.type_string()) }} as item_id
    from catalog
    where item_id is not null
),

checked as (
    select
        events.*,
        events.user_id is not null and known_users.user_id is null as is_unknown_user,
        coalesce(known_users.user_id is not null and not known_users.is_clean, false) as is_quarantined_user,
        events.event_name = 'view_item'
        and events.item_id is not null
        and known_items.item_id is null as is_unknown_item,
        coalesce(events.event_at > {{ shop_extracted_at() }}, false) as is_future_dated,
        case
            when known_users.is_clean then known_users.root_user_id
            when known_users.user_id is null then events.user_id
        end as customer_id
    from events
    left join known_users on events.user_id = known_users.user_id
    left join known_items on events.item_id = known_items.item_id
),

final as (
    select
        *,
        case
            when event_id is null then 'missing_key'
            when is_split_copy then 'duplicate_key'
            when has_unparseable_timestamp then 'unparseable_timestamp'
            when event_at is null then 'missing_timestamp'
            when is_future_dated then 'future_dated'
        end as quarantine_reason
    from checked
)

select * from final
