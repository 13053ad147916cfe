-- One row per raw event parameter row, as written, with the file it landed in. The fold into one row per
-- event changes the grain, so it happens in intermediate (int_shop__events_folded, incremental by file).
{{ config(pre_hook="{{ check_shop_raw_file('events') }}") }}
with

source as (
    select * from {{ source('shop', 'events') }}
),

renamed as (
    select
        event_id,
        event_time,
        user_id,
        event_name,
        platform,
        parameter_name,
        parameter_value,
        {{ landed_file_columns('filename') }}
    from source
),

final as (
    select * from renamed
)

select * from final
