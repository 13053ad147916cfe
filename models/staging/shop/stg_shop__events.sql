-- Event parameter rows, one row per raw line, typed, with the file it landed in. The fold into one row per
-- event changes the grain, so it happens in intermediate (int_shop__events_folded). Incremental like
-- stg_shop__orders: a build re-reads the whole-table file and the partitions of the lookback window only.
{{ config(**incremental_by_landing_day()) }}
{%- set columns = ['event_id', 'event_time', 'user_id', 'event_name', 'platform', 'parameter_name',
    'parameter_value'] %}
with

source as (
    {{ numbered_raw_rows(source('shop', 'events'), columns, in_lookback_window(raw_file_landed_on('filename'))) }}
),

renamed as (
    select
        {{ shop_id('event_id') }} as event_id,
        {{ repair_timestamp('event_time') }} as event_at,
        {{ shop_id('user_id') }} as user_id,
        {{ shop_null('event_name') }} as event_name,
        {{ shop_null('platform') }} as platform,
        {{ shop_null('parameter_name') }} as parameter_name,
        {{ shop_null('parameter_value') }} as parameter_value,
        {{ shop_null('event_id') }} as event_id_text,
        {{ shop_null('event_time') }} as event_time_text,
        {{ shop_null('user_id') }} as user_id_text,
        {{ is_invalid_id('event_id') }} as has_invalid_event_id,
        {{ is_invalid_id('user_id') }} as has_invalid_user_id,
        {{ is_odd_timestamp_format('event_time') }} as has_odd_timestamp_format,
        {{ is_unparseable_timestamp('event_time') }} as has_unparseable_timestamp,
        {{ raw_row_columns(columns) }}
    from source
),

final as (
    select * from renamed
)

select * from final
