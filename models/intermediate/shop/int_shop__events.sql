-- Clean shop events, one per event (see "Shop events" in docs/architecture.md): the funnel and experiment
-- marts read these. Events of unknown users keep the written id as their customer id. A view: a projection
-- of the incremental int_shop__events_checked, which a table would copy whole on every run.
{{ config(materialized='view') }}

with

events as (
    select * from {{ ref('int_shop__events_checked') }}
),

final as (
    select
        {{ safe_cast_value('event_id', dbt.type_bigint()) }} as event_id,
        event_at,
        {{ safe_cast_value('customer_id', dbt.type_bigint()) }} as customer_id,
        {{ safe_cast_value('user_id', dbt.type_bigint()) }} as source_user_id,
        event_name,
        platform,
        item_id,
        referrer,
        {{ safe_cast_value('test_id', dbt.type_int()) }} as test_id,
        {{ safe_cast_value('test_assignment', dbt.type_int()) }} as test_assignment,
        {{ safe_cast_value('viewed_user_id', dbt.type_bigint()) }} as viewed_user_id,
        is_unknown_user,
        is_unknown_item,
        distinct_parameter_rows,
        source_file
    from events
    where quarantine_reason is null
)

select * from final
