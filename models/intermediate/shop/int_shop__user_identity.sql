-- One row per user id written in users.csv: the surviving customer it resolves to, and whether the account is
-- usable. Order lines and events both look their user up here, so they resolve identities the same way.
-- Resolved again only when the resolved snapshot changed (snapshot_changed_in), as int_shop__users is.
{{ config(**incremental_by_file_version()) }}
with

users as (
    select * from {{ ref('int_shop__users') }}
    where {{ snapshot_changed_in(ref('int_shop__users')) }}
),

identities as (
    -- any users row counts as known, even a quarantined one: its lines are not from an "unknown user". One
    -- snapshot file, so every row of an id carries the same version.
    select
        user_id,
        max(root_user_id) as root_user_id,
        max(case when quarantine_reason is null then 1 else 0 end) = 1 as is_clean,
        max(case when is_merged then 1 else 0 end) = 1 as is_merged,
        max(source_file) as source_file,
        max(source_file_size_bytes) as source_file_size_bytes,
        max(source_file_modified_at) as source_file_modified_at,
        max(extracted_at) as extracted_at
    from users
    where user_id is not null and not dq_duplicate_row and not dq_duplicate_key
    group by user_id
),

roots as (
    select
        user_id,
        is_deleted
    from users
    where quarantine_reason is null
),

final as (
    select
        identities.user_id,
        identities.root_user_id,
        identities.is_clean,
        identities.is_merged,
        coalesce(identities.is_clean and roots.is_deleted, false) as is_root_deleted,
        identities.source_file,
        identities.source_file_size_bytes,
        identities.source_file_modified_at,
        identities.extracted_at
    from identities
    left join roots on identities.root_user_id = roots.user_id
)

select * from final
