-- Staged users with the checks that do not need the merge graph; int_shop__users resolves merges on top.
with

users as (
    select * from {{ ref('stg_shop__users') }}
),

final as (
    select
        user_id,
        parent_user_id,
        created_at,
        deleted_at,
        merged_at,
        user_id_text,
        created_at_text,
        deleted_at_text,
        merged_at_text,
        has_odd_timestamp_format,
        has_unparseable_timestamp,
        has_unparseable_parent_id,
        copy_count,
        key_occurrence,
        -- the export date, not the wall clock, decides what is in the future: rebuilds stay identical
        coalesce(
            created_at > {{ shop_extracted_at() }}
            or deleted_at > {{ shop_extracted_at() }}
            or merged_at > {{ shop_extracted_at() }},
            false
        ) as is_future_dated
    from users
)

select * from final
