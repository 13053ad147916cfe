-- One row per flagged or quarantined raw record of the shop (shared shape, docs/architecture.md), from the
-- dq_<reason_code> flags of the checked models (dq_issue_rows); the action comes from the dq_reason_codes seed.
-- A quarantined raw row has exactly one quarantine row - every extra copy of a duplicate included, and for
-- events every raw parameter row of a quarantined event - so the quarantine rows add up to the quarantined raw
-- rows of int_shop__dq_row_counts. Kept records may carry several flags.
with

user_issues as (
    {{ dq_issue_rows(ref('int_shop__users'), 'users') }}
),

item_issues as (
    {{ dq_issue_rows(ref('int_shop__catalog_items'), 'items') }}
),

order_issues as (
    {{ dq_issue_rows(ref('int_shop__orders_checked'), 'orders') }}
),

-- flags of clean events, one row per event and flag
event_flags as (
    {{ dq_issue_rows(ref('int_shop__events'), 'events') }}
),

quarantined_events as (
    select
        source_file,
        event_id,
        quarantine_reason
    from {{ ref('int_shop__events_checked') }}
    where quarantine_reason is not null
),

-- back from events to raw parameter rows: every row of a quarantined event has the event's reason, and
-- every extra copy of an identical row is a duplicate parameter (of a clean or a quarantined event)
event_rows as (
    select
        raw_rows.event_id_text,
        raw_rows.parameter_name,
        raw_rows.event_time_text,
        raw_rows.source_file,
        raw_rows.landed_on,
        raw_rows.row_fingerprint,
        raw_rows.copy_number,
        case
            when raw_rows.copy_number > 1 then 'duplicate_parameter'
            else quarantined_events.quarantine_reason
        end as reason_code
    from {{ ref('stg_shop__events') }} as raw_rows
    left join quarantined_events
        on
            raw_rows.source_file = quarantined_events.source_file
            and coalesce(raw_rows.event_id, -1) = coalesce(quarantined_events.event_id, -1)
    where
        not raw_rows.is_header_row
        and (raw_rows.copy_number > 1 or quarantined_events.source_file is not null)
),

event_row_issues as (
    select
        'events' as source_table,
        {{ dbt.concat([
            "coalesce(event_id_text, '(no id)')", "'/'", "coalesce(parameter_name, '(none)')", "'#'",
            safe_cast_value(
                "row_number() over (partition by event_id_text, parameter_name
                order by landed_on, source_file, row_fingerprint, copy_number)",
                dbt.type_string()
            )
        ]) }} as record_key,
        reason_code,
        {{ dbt.concat(["'event_time '", "coalesce(event_time_text, 'None')", "', file '", "source_file"]) }}
            as detail
    from event_rows
),

unioned as (
    select * from user_issues
    union all
    select * from item_issues
    union all
    select * from order_issues
    union all
    select * from event_flags
    union all
    select * from event_row_issues
),

reason_codes as (
    select * from {{ ref('dq_reason_codes') }}
    where source_system = 'shop'
),

final as (
    select
        {{ safe_cast_value('unioned.source_table', dbt.type_string()) }} as source_table,
        {{ safe_cast_value('unioned.record_key', dbt.type_string()) }} as record_key,
        {{ safe_cast_value('unioned.reason_code', dbt.type_string()) }} as reason_code,
        {{ safe_cast_value('reason_codes.action', dbt.type_string()) }} as action,
        {{ safe_cast_value('unioned.detail', dbt.type_string()) }} as detail
    from unioned
    left join reason_codes
        on
            unioned.source_table = reason_codes.source_table
            and unioned.reason_code = reason_codes.reason_code
)

select * from final
