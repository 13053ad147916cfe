-- Clean shop events, one per event (see "Shop events" in docs/architecture.md), with the surviving customer of
-- their user: the funnel and experiment marts read these. Events of unknown users keep the written id as their
-- customer id. Rebuilt on every run: identity comes from the users snapshot, which may rewrite history.
{%- set flags = ['unknown_user', 'quarantined_user', 'unknown_item', 'odd_timestamp_format', 'invalid_user_id',
    'empty_event_name', 'unknown_event_name', 'unknown_platform', 'conflicting_parameters',
    'inconsistent_event_rows', 'unknown_parameter'] %}
with

events as (
    select * from {{ ref('int_shop__events_checked') }}
    where quarantine_reason is null
),

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

joined as (
    select
        events.event_id,
        events.event_at,
        case
            when known_users.is_clean then known_users.root_user_id
            when known_users.user_id is null then events.user_id
        end as customer_id,
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
