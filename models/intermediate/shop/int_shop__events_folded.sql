-- One row per event of each landed file: the raw entity-attribute-value rows (one per event parameter) folded
-- with a conditional aggregation (no pivot syntax, so every warehouse runs it) into typed columns, after
-- identical parameter rows collapse. Incremental by file like int_shop__orders_deduplicated: a run folds only
-- the files landed since the high-water mark minus var('late_arrival_days'). A build that reads more than
-- var('landed_batch_mb') of files (a full build) folds them in batches of whole landing days, one statement
-- each: the first here, the rest in the post-hook.
-- All parameter rows of an event land in one file; an event id found in two files is quarantined in
-- int_shop__events_checked.
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='source_file',
        on_schema_change='fail',
        post_hook="{{ insert_later_landed_batches() }}"
    )
}}
{%- set parameters = ['item_id', 'referrer', 'test_id', 'test_assignment', 'viewed_user_id'] %}
with

events as (
    -- one batch of landing days per statement (the post-hook adds the later ones): memory stays that of a batch
    select * from {{ ref('stg_shop__events') }}
    where {{ first_landed_batch_filter('events') }}
),

deduplicated as (
    -- identical (event, parameter) rows collapse to one; copy_count lets intermediate quarantine the extras
    select
        source_file,
        landed_on,
        event_id,
        event_time,
        user_id,
        event_name,
        platform,
        parameter_name,
        parameter_value,
        count(*) as copy_count
    from events
    group by source_file, landed_on, event_id, event_time, user_id, event_name, platform, parameter_name, parameter_value
),

folded as (
    select
        source_file,
        landed_on,
        {{ shop_id('event_id') }} as event_id,
        max(event_time) as event_time_text,
        max(user_id) as user_id_text,
        max({{ shop_null('event_name') }}) as event_name,
        max({{ shop_null('platform') }}) as platform,
        {%- for parameter in parameters %}
            max(case when parameter_name = '{{ parameter }}' then {{ shop_null('parameter_value') }} end)
                as {{ parameter }}_text,
        {%- endfor %}
        {%- for parameter in parameters %}
            sum(case when parameter_name = '{{ parameter }}' then copy_count else 0 end) as {{ parameter }}_rows,
            sum(case when parameter_name = '{{ parameter }}' then copy_count - 1 else 0 end)
                as {{ parameter }}_duplicates,
        {%- endfor %}
        sum(copy_count) as parameter_rows,
        count(*) as distinct_parameter_rows,
        -- distinct names: each known name present counts once; unknown names are rare, so their distinct count
        -- goes through count_distinct_rare (a count(distinct) over every row took a third of this query's time)
        {%- for parameter in parameters %}
            max(case when parameter_name = '{{ parameter }}' then 1 else 0 end) +
        {%- endfor %}
        {{ count_distinct_rare(
            "case when parameter_name not in ('" ~ parameters | join("', '") ~ "') then parameter_name end"
        ) }} as distinct_parameter_names,
        sum(copy_count - 1) as duplicate_parameter_rows,
        sum(
            case
                when parameter_name in ('{{ parameters | join("', '") }}') then 0
                else copy_count
            end
        ) as unknown_parameter_rows,
        sum(
            case
                when parameter_name in ('{{ parameters | join("', '") }}') then 0
                else copy_count - 1
            end
        ) as unknown_parameter_duplicates,
        -- the parameter rows of one event should agree on the event's own columns
        (
            min(event_time) <> max(event_time)
            or min(user_id) <> max(user_id)
            or min(event_name) <> max(event_name)
            or min(platform) <> max(platform)
        ) as has_inconsistent_rows
    from deduplicated
    group by source_file, landed_on, {{ shop_id('event_id') }}
),

typed as (
    select
        source_file,
        landed_on,
        event_id,
        {{ repair_timestamp('event_time_text') }} as event_at,
        {{ shop_id('user_id_text') }} as user_id,
        event_name,
        platform,
        {{ safe_cast_value(shop_id('item_id_text'), dbt.type_string()) }} as item_id,
        referrer_text as referrer,
        {{ safe_cast_value(shop_id('test_id_text'), dbt.type_int()) }} as test_id,
        {{ safe_cast_value(shop_id('test_assignment_text'), dbt.type_int()) }} as test_assignment,
        {{ shop_id('viewed_user_id_text') }} as viewed_user_id,
        {{ shop_null('event_time_text') }} as event_time_text,
        {{ is_odd_timestamp_format('event_time_text') }} as has_odd_timestamp_format,
        {{ is_unparseable_timestamp('event_time_text') }} as has_unparseable_timestamp,
        {%- for parameter in parameters %}
            {{ parameter }}_rows,
            {{ parameter }}_duplicates,
        {%- endfor %}
        parameter_rows,
        distinct_parameter_rows,
        duplicate_parameter_rows,
        unknown_parameter_rows,
        unknown_parameter_duplicates,
        distinct_parameter_rows > distinct_parameter_names as has_conflicting_parameters,
        has_inconsistent_rows
    from folded
),

final as (
    select * from typed
)

select * from final
