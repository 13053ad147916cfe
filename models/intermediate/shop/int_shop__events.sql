-- Clean shop events, one per event (see "Shop events" in docs/architecture.md), with the surviving customer of
-- their user: the funnel and experiment marts read these. Events of unknown users keep the written id as their
-- customer id. Incremental by landing day like the event checks: a build joins the days of the lookback window
-- again, and every earlier day holding a user or an item whose outcome a new users or items snapshot changed
-- (a merge rewrites the customer of old events), so both builds agree.
{{ config(**incremental_by_landing_day()) }}
{%- set flags = ['unknown_user', 'quarantined_user', 'unknown_item', 'odd_timestamp_format', 'invalid_user_id',
    'empty_event_name', 'unknown_event_name', 'unknown_platform', 'conflicting_parameters',
    'inconsistent_event_rows', 'unknown_parameter'] %}
{#- the customer of a user id: the root of a clean account, none for a quarantined one, the id itself if unknown #}
{%- set customer_of = 'case when known_users.is_clean then known_users.root_user_id'
    ~ ' when known_users.user_id is null then {} end' %}
with

checked_events as (
    select * from {{ ref('int_shop__events_checked') }}
    where quarantine_reason is null
),

{%- if is_incremental() %}

-- the same events, read again for the earlier days to join: a CTE read twice is materialized by DuckDB
checked_events_of_earlier_days as (
    select * from {{ ref('int_shop__events_checked') }}
    where quarantine_reason is null
),
{%- endif %}

known_users as (
    select * from {{ ref('int_shop__user_identity') }}
),

catalog as (
    select * from {{ ref('int_shop__catalog_items') }}
),

known_items as (
    select distinct {{ safe_cast_value('item_id', dbt.type_string()) }} as item_id
    from catalog
    where item_id is not null
),

{%- if is_incremental() %}

-- what the table holds per user id and per viewed item; where the snapshots now say otherwise, every day
-- holding such an event is joined again (whole days: Spark overwrites a landing day's partition)
held_users as (
    select distinct
        source_user_id,
        customer_id,
        dq_unknown_user,
        dq_quarantined_user
    from {{ this }}
    where source_user_id is not null
),

changed_users as (
    select held_users.source_user_id
    from held_users
    left join known_users on held_users.source_user_id = known_users.user_id
    where
        held_users.dq_unknown_user <> (known_users.user_id is null)
        or held_users.dq_quarantined_user <> coalesce(not known_users.is_clean, false)
        or coalesce(held_users.customer_id, -1)
        <> coalesce({{ customer_of.format('held_users.source_user_id') }}, -1)
),

held_items as (
    select distinct
        item_id,
        dq_unknown_item
    from {{ this }}
    where event_name = 'view_item' and item_id is not null
),

changed_items as (
    select held_items.item_id
    from held_items
    left join known_items on held_items.item_id = known_items.item_id
    where held_items.dq_unknown_item <> (known_items.item_id is null)
),

days_to_join as (
    select distinct landed_on
    from {{ this }}
    where
        source_user_id in (select changed_users.source_user_id from changed_users)
        or item_id in (select changed_items.item_id from changed_items)
),
{%- endif %}

-- the window and the earlier days are two reads, not one filter with an `or`: the window alone is a constant
-- range the engine prunes the table's row groups by, and an empty list of earlier days reads nothing (one
-- filter read all 43M events at scale 100)
events as (
    select * from checked_events
    {%- if is_incremental() %}
        where {{ in_lookback_window('landed_on') }}
        union all
        select * from checked_events_of_earlier_days
        where
            not {{ in_lookback_window('landed_on') }}
            and landed_on in (select days_to_join.landed_on from days_to_join)
    {%- endif %}
),

joined as (
    select
        events.event_id,
        events.event_at,
        {{ customer_of.format('events.user_id') }} as customer_id,
        events.user_id as source_user_id,
        events.event_name,
        events.platform,
        events.item_id,
        events.referrer,
        events.test_id,
        events.test_assignment,
        events.viewed_user_id,
        events.distinct_parameter_rows,
        events.duplicate_parameter_rows,
        events.source_file,
        events.landed_on,
        events.event_id_text as record_key,
        events.event_time_text,
        events.user_id_text,
        events.user_id is not null and known_users.user_id is null as dq_unknown_user,
        coalesce(known_users.user_id is not null and not known_users.is_clean, false) as dq_quarantined_user,
        events.event_name = 'view_item' and events.item_id is not null and known_items.item_id is null
            as dq_unknown_item,
        events.dq_odd_timestamp_format,
        events.dq_invalid_user_id,
        events.dq_empty_event_name,
        events.dq_unknown_event_name,
        events.dq_unknown_platform,
        events.dq_conflicting_parameters,
        events.dq_inconsistent_event_rows,
        events.dq_unknown_parameter,
        {{ safe_cast_value('null', dbt.type_string()) }} as quarantine_reason
    from events
    left join known_users on events.user_id = known_users.user_id
    left join known_items on events.item_id = known_items.item_id
),

final as (
    select
        event_id,
        event_at,
        customer_id,
        source_user_id,
        event_name,
        platform,
        item_id,
        referrer,
        test_id,
        test_assignment,
        viewed_user_id,
        distinct_parameter_rows,
        duplicate_parameter_rows,
        source_file,
        landed_on,
        record_key,
        -- only a flagged event shows its detail in an issue row: the text of every clean event was a fifth of
        -- this model's time at scale 10 (alone: 7.9-8.0 s with it, 6.0-6.7 s without)
        {{ detail_when_flagged(flags, dbt.concat(["'event_time '", "coalesce(event_time_text, 'None')",
            "', user '", "coalesce(user_id_text, 'None')", "', file '", "source_file"])) }} as dq_detail,
        {%- for flag in flags %}
            dq_{{ flag }},
        {%- endfor %}
        quarantine_reason
    from joined
)

select * from final
