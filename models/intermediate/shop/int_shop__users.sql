-- Every staged user with its surviving customer: merges are followed to the root of the chain
-- (A -> B -> C maps A and B to C). A chain that never reaches a root is a merge cycle and is quarantined.
-- Resolved again only when the checked snapshot changed (snapshot_changed_in), as its checks are.
{{ config(**incremental_by_file_version()) }}
{%- set max_merge_depth = 100 %}
{%- set flags = ['duplicate_row', 'missing_key', 'invalid_id', 'duplicate_key', 'future_dated', 'merge_cycle',
    'merged_user', 'deleted_user', 'missing_merge_parent', 'unparseable_timestamp', 'odd_timestamp_format'] %}
with recursive

checked as (
    -- a table: the recursive walk below reads it once per step
    select * from {{ ref('int_shop__users_checked') }}
    where {{ snapshot_changed_in(ref('int_shop__users_checked')) }}
),

mergeable as (
    -- only rows that will reach the clean layer can be a link of a merge chain
    select
        user_id,
        parent_user_id
    from checked
    where pre_merge_quarantine_reason is null
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

-- only merged accounts walk; every other clean user is its own root (see with_roots). The walk carries the
-- accounts it has passed (`/1/2/`) and stops on the first it passes twice: a cycle ends after its own length
-- instead of at the depth limit (Spark runs each step of a recursion as a job of its own).
merge_walk (user_id, current_user_id, depth, passed, is_revisit) as (
    select
        user_id,
        user_id as current_user_id,
        0 as depth,
        {{ dbt.concat(["'/'", dbt.cast('user_id', dbt.type_string()), "'/'"]) }} as passed,
        false as is_revisit
    from links

    union all

    select
        merge_walk.user_id,
        links.parent_user_id as current_user_id,
        merge_walk.depth + 1 as depth,
        {{ dbt.concat(["merge_walk.passed", dbt.cast('links.parent_user_id', dbt.type_string()), "'/'"]) }}
            as passed,
        {{ dbt.position(
            dbt.concat(["'/'", dbt.cast('links.parent_user_id', dbt.type_string()), "'/'"]), 'merge_walk.passed'
        ) }} > 0 as is_revisit
    from merge_walk
    inner join links on merge_walk.current_user_id = links.user_id
    where not merge_walk.is_revisit and merge_walk.depth < {{ max_merge_depth }}
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
        -- a walk that came back to an account it passed, or is still going at the depth limit, goes round a
        -- cycle: it has no root, and its depth is the limit (the walk never ends)
        merge_walk.is_revisit or deepest.chain_depth >= {{ max_merge_depth }} as is_merge_cycle,
        case
            when merge_walk.is_revisit then {{ max_merge_depth }} else deepest.chain_depth
        end as chain_depth,
        case
            when not merge_walk.is_revisit and deepest.chain_depth < {{ max_merge_depth }}
                then merge_walk.current_user_id
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
        coalesce(resolved.chain_depth, 0) as chain_depth,
        coalesce(resolved.is_merge_cycle, false) as is_merge_cycle,
        case
            when resolved.user_id is null then mergeable.user_id
            else resolved.root_user_id
        end as root_user_id
    from mergeable
    left join resolved on mergeable.user_id = resolved.user_id
),

-- ids written on more than one line as written: the issue rows name each of their lines `<id>#<n>`
-- (numbered_record_key). Numbering all 11.7M lines by a window took two thirds of this model at scale 100.
repeated_key_texts as (
    select user_id_text
    from checked
    group by user_id_text
    having count(*) > 1
),

key_text_ranks as (
    select
        checked.source_file,
        checked.row_fingerprint,
        checked.copy_number,
        row_number() over (
            partition by checked.user_id_text
            order by checked.copy_number, checked.key_occurrence, checked.row_fingerprint
        ) as key_text_occurrence
    from checked
    inner join repeated_key_texts on checked.user_id_text is not distinct from repeated_key_texts.user_id_text
),

resolved_users as (
    select
        checked.*,
        coalesce(key_text_ranks.key_text_occurrence, 1) as key_text_occurrence,
        with_roots.root_user_id,
        coalesce(with_roots.chain_depth, 0) as chain_depth,
        checked.deleted_at is not null or checked.deleted_at_text is not null as is_deleted,
        coalesce(with_roots.root_user_id <> checked.user_id, false) as is_merged,
        coalesce(with_roots.is_merge_cycle, false) as dq_merge_cycle,
        coalesce(
            checked.parent_user_id is not null and with_roots.root_user_id = checked.user_id, false
        ) as has_missing_merge_parent
    from checked
    -- only clean rows walked the merge graph, and a clean user id has one clean row. The condition is an
    -- equality (a hash join): `and pre_merge_quarantine_reason is null` in the ON clause made DuckDB 1.5
    -- plan a nested-loop join over every pair of users (146 s at scale 1).
    left join with_roots
        on with_roots.user_id = case when checked.pre_merge_quarantine_reason is null then checked.user_id end
    left join key_text_ranks
        on {{ same_raw_line('checked', 'key_text_ranks') }}
),

flagged as (
    select
        *,
        is_merged and not dq_merge_cycle as dq_merged_user,
        is_deleted as dq_deleted_user,
        has_missing_merge_parent as dq_missing_merge_parent,
        has_unparseable_timestamp as dq_unparseable_timestamp,
        has_odd_timestamp_format as dq_odd_timestamp_format,
        coalesce(pre_merge_quarantine_reason, case when dq_merge_cycle then 'merge_cycle' end) as quarantine_reason
    from resolved_users
),

final as (
    select
        user_id,
        parent_user_id,
        root_user_id,
        chain_depth,
        created_at,
        deleted_at,
        merged_at,
        is_deleted,
        is_merged,
        {{ numbered_record_key('user_id_text', 'key_text_occurrence') }} as record_key,
        -- only a flagged user shows its detail in an issue row (as int_shop__events): the text of every clean
        -- user was a fifth of this model's time at scale 100 (alone: 29.9-31.8 s with it, 23.1-24.2 s without)
        {{ detail_when_flagged(flags, dbt.concat(["'id '", "coalesce(user_id_text, 'None')", "', created_at '",
            "coalesce(created_at_text, 'None')", "', deleted_at '", "coalesce(deleted_at_text, 'None')",
            "', merged_at '", "coalesce(merged_at_text, 'None')", "', parent '",
            "coalesce(parent_user_id_text, 'None')"])) }} as dq_detail,
        {%- for flag in flags %}
            dq_{{ flag }},
        {%- endfor %}
        quarantine_reason,
        source_file,
        source_file_size_bytes,
        source_file_modified_at,
        extracted_at
    from flagged
)

select * from final
