-- Every staged user with its surviving customer: merges are followed to the root of the chain
-- (A -> B -> C maps A and B to C). A chain that never reaches a root is a merge cycle and is quarantined.
{%- set max_merge_depth = 100 %}
with recursive

checked as (
    -- a table, not the staging view: the recursive walk below reads it once per step
    select * from {{ ref('int_shop__users_checked') }}
),

mergeable as (
    -- only rows that will reach the clean layer can be a link of a merge chain
    select
        user_id,
        parent_user_id
    from checked
    where
        user_id is not null
        and key_occurrence = 1
        and not is_future_dated
),

-- the links a walk can follow: a parent that is not a clean user ends the chain (the account survives as
-- itself). Taken once, so each step of the walk joins the few merged accounts, not every user.
links as (
    select
        link.user_id,
        link.parent_user_id
    from mergeable as link
    inner join mergeable as parent on link.parent_user_id = parent.user_id
),

-- only merged accounts walk; every other clean user is its own root (see with_roots)
merge_walk (user_id, current_user_id, depth) as (
    select
        user_id,
        user_id as current_user_id,
        0 as depth
    from links

    union all

    select
        merge_walk.user_id,
        links.parent_user_id as current_user_id,
        merge_walk.depth + 1 as depth
    from merge_walk
    inner join links on merge_walk.current_user_id = links.user_id
    where merge_walk.depth < {{ max_merge_depth }}
),

deepest as (
    select
        user_id,
        max(depth) as chain_depth
    from merge_walk
    group by user_id
),

resolved as (
    select
        deepest.user_id,
        deepest.chain_depth,
        -- a walk that is still going at the depth limit goes round a cycle: it has no root
        deepest.chain_depth >= {{ max_merge_depth }} as is_merge_cycle,
        case
            when deepest.chain_depth < {{ max_merge_depth }} then merge_walk.current_user_id
        end as root_user_id
    from deepest
    inner join merge_walk
        on
            deepest.user_id = merge_walk.user_id
            and deepest.chain_depth = merge_walk.depth
),

with_roots as (
    select
        mergeable.user_id,
        -- only the first row of a user id is walked; joining on it keeps the join a plain hash join
        1 as key_occurrence,
        coalesce(resolved.chain_depth, 0) as chain_depth,
        coalesce(resolved.is_merge_cycle, false) as is_merge_cycle,
        case
            when resolved.user_id is null then mergeable.user_id
            else resolved.root_user_id
        end as root_user_id
    from mergeable
    left join resolved on mergeable.user_id = resolved.user_id
),

final as (
    select
        checked.user_id,
        checked.parent_user_id,
        with_roots.root_user_id,
        coalesce(with_roots.chain_depth, 0) as chain_depth,
        checked.created_at,
        checked.deleted_at,
        checked.merged_at,
        checked.deleted_at is not null or checked.deleted_at_text is not null as is_deleted,
        coalesce(with_roots.root_user_id <> checked.user_id, false) as is_merged,
        coalesce(with_roots.is_merge_cycle, false) as is_merge_cycle,
        coalesce(
            checked.parent_user_id is not null and with_roots.root_user_id = checked.user_id, false
        ) as has_missing_merge_parent,
        checked.is_future_dated,
        checked.has_odd_timestamp_format,
        checked.has_unparseable_timestamp,
        checked.copy_count,
        checked.key_occurrence,
        checked.user_id_text,
        checked.created_at_text,
        checked.deleted_at_text,
        checked.merged_at_text,
        case
            when checked.user_id is null then 'missing_key'
            when checked.key_occurrence > 1 then 'duplicate_key'
            when checked.is_future_dated then 'future_dated'
            when with_roots.is_merge_cycle then 'merge_cycle'
        end as quarantine_reason
    from checked
    left join with_roots
        on
            checked.user_id = with_roots.user_id
            and checked.key_occurrence = with_roots.key_occurrence
)

select * from final
