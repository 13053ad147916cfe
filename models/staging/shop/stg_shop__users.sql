-- Users: typed, `None` -> null, odd timestamps repaired. The only model that still carries email and names.
{{ config(pre_hook="{{ check_shop_raw_file('users') }}") }}
with

source as (
    select * from {{ source('shop', 'users') }}
),

deduplicated as (
    -- identical raw rows collapse to one; copy_count lets intermediate quarantine the extra copies
    select
        id,
        parent_user_id,
        created_at,
        deleted_at,
        merged_at,
        email_address,
        first_name,
        last_name,
        count(*) as copy_count
    from source
    group by id, parent_user_id, created_at, deleted_at, merged_at, email_address, first_name, last_name
),

renamed as (
    select
        {{ shop_id('id') }} as user_id,
        {{ shop_id('parent_user_id') }} as parent_user_id,
        {{ repair_timestamp('created_at') }} as created_at,
        {{ repair_timestamp('deleted_at') }} as deleted_at,
        {{ repair_timestamp('merged_at') }} as merged_at,
        {{ shop_null('email_address') }} as email_address,
        {{ shop_null('first_name') }} as first_name,
        {{ shop_null('last_name') }} as last_name,
        {{ shop_null('created_at') }} as created_at_text,
        {{ shop_null('deleted_at') }} as deleted_at_text,
        {{ shop_null('merged_at') }} as merged_at_text,
        {{ shop_null('id') }} as user_id_text,
        (
            {{ is_odd_timestamp_format('created_at') }}
            or {{ is_odd_timestamp_format('deleted_at') }}
            or {{ is_odd_timestamp_format('merged_at') }}
        ) as has_odd_timestamp_format,
        (
            {{ is_unparseable_timestamp('created_at') }}
            or {{ is_unparseable_timestamp('deleted_at') }}
            or {{ is_unparseable_timestamp('merged_at') }}
        ) as has_unparseable_timestamp,
        {{ is_unparseable_number('parent_user_id') }} as has_unparseable_parent_id,
        copy_count,
        -- a key written twice with different content: intermediate keeps the first, quarantines the rest
        row_number() over (
            partition by {{ shop_id('id') }}
            order by created_at, deleted_at, merged_at, parent_user_id, email_address, first_name, last_name
        ) as key_occurrence
    from deduplicated
),

final as (
    select * from renamed
)

select * from final
