-- One row per user id written in users.csv: the surviving customer it resolves to, and whether the account is
-- usable. Order lines and events both look their user up here, so they resolve identities the same way.
with

users as (
    select * from {{ ref('int_shop__users') }}
),

identities as (
    -- any users row counts as known, even a quarantined one: its lines are not from an "unknown user"
    select
        user_id,
        max(root_user_id) as root_user_id,
        max(case when quarantine_reason is null then 1 else 0 end) = 1 as is_clean,
        max(case when is_merged then 1 else 0 end) = 1 as is_merged
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
        coalesce(identities.is_clean and roots.is_deleted, false) as is_root_deleted
    from identities
    left join roots on identities.root_user_id = roots.user_id
)

select * from final
