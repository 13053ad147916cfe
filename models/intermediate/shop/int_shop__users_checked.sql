-- Staged users (data lines) with the checks that do not need the merge graph; int_shop__users resolves
-- merges on top. Each check is a dq_<reason_code> flag; quarantine_reason is the first quarantine flag set.
-- Every row depends on the whole snapshot (duplicate keys) and on var('shop_extracted_at'): a build checks all
-- rows again when either changed, and none when neither did (snapshot_changed).
{{ config(**incremental_by_file_version()) }}
{%- set versions -%}
    select distinct
        source_file,
        source_file_size_bytes,
        source_file_modified_at,
        {{ shop_extracted_at() }} as extracted_at
    from {{ ref('stg_shop__users') }}
{%- endset %}
{%- set rows_to_check -%}
    not is_header_row
    and {{ snapshot_changed(versions, ['source_file_size_bytes', 'source_file_modified_at', 'extracted_at']) }}
{%- endset %}
with

-- every column but the personal data (email, names), which stays in staging
users as (
    select
        user_id,
        parent_user_id,
        created_at,
        deleted_at,
        merged_at,
        user_id_text,
        parent_user_id_text,
        created_at_text,
        deleted_at_text,
        merged_at_text,
        has_invalid_id,
        has_invalid_parent_id,
        has_odd_timestamp_format,
        has_unparseable_timestamp,
        source_file,
        source_file_size_bytes,
        source_file_modified_at,
        {{ shop_extracted_at() }} as extracted_at,
        row_fingerprint,
        copy_number
    from {{ ref('stg_shop__users') }}
    where {{ rows_to_check }}
),

-- ids written on more than one line (a missing or invalid id counts as one id, null, as in the partition
-- below): only their lines are ranked, each other line is the first of its id. Ranking all 11.7M lines at scale
-- 100 sorted every column of them. Read from staging again: DuckDB would materialize `users` if read twice.
repeated_ids as (
    select user_id
    from {{ ref('stg_shop__users') }}
    where {{ rows_to_check }}
    group by user_id
    having count(*) > 1
),

-- an extra copy of an identical line is a duplicate row; of the distinct lines of one id, the first by content
-- is kept and the others are keys written twice
key_ranks as (
    select
        repeated_lines.source_file,
        repeated_lines.row_fingerprint,
        repeated_lines.copy_number,
        row_number() over (
            partition by repeated_lines.user_id, repeated_lines.copy_number > 1
            order by
                repeated_lines.created_at_text, repeated_lines.deleted_at_text, repeated_lines.merged_at_text,
                repeated_lines.parent_user_id_text, repeated_lines.row_fingerprint
        ) as key_occurrence
    from {{ ref('stg_shop__users') }} as repeated_lines
    inner join repeated_ids on repeated_lines.user_id is not distinct from repeated_ids.user_id
    where {{ rows_to_check }}
),

ranked as (
    select
        users.*,
        coalesce(key_ranks.key_occurrence, 1) as key_occurrence
    from users
    left join key_ranks
        on {{ same_raw_line('users', 'key_ranks') }}
),

checked as (
    select
        *,
        copy_number > 1 as dq_duplicate_row,
        user_id_text is null as dq_missing_key,
        has_invalid_id as dq_invalid_id,
        user_id is not null and copy_number = 1 and key_occurrence > 1 as dq_duplicate_key,
        -- the export date, not the wall clock, decides what is in the future: rebuilds stay identical
        coalesce(created_at > extracted_at or deleted_at > extracted_at or merged_at > extracted_at, false)
            as dq_future_dated
    from ranked
),

final as (
    select
        *,
        {{ first_flag(['duplicate_row', 'missing_key', 'invalid_id', 'duplicate_key', 'future_dated']) }}
            as pre_merge_quarantine_reason
    from checked
)

select * from final
