-- Data quality at a glance: one row per (raw table, reason code) and one `_total` row per raw table, whose
-- raw = clean + quarantined is the "nothing is lost" ledger of that table.
with

issues as (
    select * from {{ ref('int_dq_issues') }}
),

row_counts as (
    select * from {{ ref('int_dq_row_counts') }}
),

per_reason as (
    select
        source_table,
        reason_code,
        max(action) as action,
        sum(case when action = 'quarantined' then 1 else 0 end) as quarantined_rows,
        sum(case when action = 'quarantined' then 0 else 1 end) as flagged_rows
    from issues
    group by source_table, reason_code
),

flagged_records as (
    -- a kept record may carry several flags: the total counts it once
    select
        source_table,
        count(distinct record_key) as flagged_rows
    from issues
    where action <> 'quarantined'
    group by source_table
),

reason_rows as (
    select
        per_reason.source_table,
        per_reason.reason_code,
        per_reason.action,
        row_counts.raw_rows,
        row_counts.clean_rows,
        per_reason.quarantined_rows,
        per_reason.flagged_rows
    from per_reason
    inner join row_counts on per_reason.source_table = row_counts.source_table
),

total_rows as (
    select
        row_counts.source_table,
        '_total' as reason_code,
        {{ dbt.safe_cast('null', dbt.type_string()) }} as action,
        row_counts.raw_rows,
        row_counts.clean_rows,
        row_counts.quarantined_rows,
        coalesce(flagged_records.flagged_rows, 0) as flagged_rows
    from row_counts
    left join flagged_records on row_counts.source_table = flagged_records.source_table
),

unioned as (
    select * from reason_rows
    union all
    select * from total_rows
),

final as (
    select
        {{ dbt.safe_cast('source_table', dbt.type_string()) }} as source_table,
        {{ dbt.safe_cast('reason_code', dbt.type_string()) }} as reason_code,
        {{ dbt.safe_cast('action', dbt.type_string()) }} as action,
        {{ dbt.safe_cast('raw_rows', dbt.type_bigint()) }} as raw_rows,
        {{ dbt.safe_cast('clean_rows', dbt.type_bigint()) }} as clean_rows,
        {{ dbt.safe_cast('quarantined_rows', dbt.type_bigint()) }} as quarantined_rows,
        {{ dbt.safe_cast('flagged_rows', dbt.type_bigint()) }} as flagged_rows
    from unioned
)

select * from final
