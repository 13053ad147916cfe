-- One row per user id written in users.csv: the surviving customer it resolves to, and whether the account is
-- usable. Order lines and events both look their user up here, so they resolve identities the same way.
with

users as (
    select * from {{ ref('int_shop__users') }}
),

final as (
    -- any users row counts as known, even a quarantined one: its lines are not from an "unknown user"
    select
        user_id,
        max(root_user_id) as root_user_id,
        max(case when quarantine_reason is null then 1 else 0 end) = 1 as is_clean,
        max(case when is_merged then 1 else 0 end) = 1 as is_merged
    from users
    where key_occurrence = 1
    group by user_id
)

select * from final
