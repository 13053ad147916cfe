-- Every folded event with identity resolution and its anomaly checks (one quarantine reason at most).
-- Incremental by file (delete+insert on source_file), like the fold upstream: a run re-checks only the files
-- shop_event_files_to_recheck lists (the late-arrival window, files sharing an event id with it, files whose
-- identity or item checks changed - a merge or deletion in users.csv changes history) and keeps the rest, so
-- a full refresh and an incremental run give the same table.
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='source_file',
        on_schema_change='fail'
    )
}}
{%- set recheck_files = shop_event_files_to_recheck() if is_incremental() and execute else [] %}
with

folded as (
    select * from {{ ref('int_shop__events_folded') }}
    {%- if is_incremental() %}
        where {{ landed_rows_predicate(recheck_files) }}
    {%- endif %}
),

-- a narrow second import: DuckDB materialises a CTE read twice, and `folded` is every event, every column
folded_keys as (
    select
        event_id,
        source_file
    from {{ ref('int_shop__events_folded') }}
    {%- if is_incremental() %}
        where event_id in (select folded.event_id from folded)
    {%- endif %}
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
    {{ shop_known_items('catalog') }}
),

checked as (
    select
        events.*,
        {{ shop_event_reference_columns('events', 'known_users', 'known_items') }}
    from events
    left join known_users on events.user_id = known_users.user_id
    left join known_items on events.item_id = known_items.item_id
),

quarantined as (
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
),

final as (
    select
        *,
        -- one column int_shop__dq_issues filters on: a filter on one column is pushed into the scan, so only
        -- the few reported events are read whole (an OR over many columns reads every event whole). It must
        -- cover every event condition int_shop__dq_issues reports, or that model would miss those events
        -- (test_shop_quality fails then: a planted anomaly class would go undetected).
        (
            quarantine_reason is not null
            or duplicate_parameter_rows > 0
            or unknown_parameter_rows > 0
            or is_unknown_user
            or is_quarantined_user
            or is_unknown_item
            or has_odd_timestamp_format
            or has_conflicting_parameters
            or has_inconsistent_rows
        ) as has_dq_issue
    from quarantined
)

select * from final
