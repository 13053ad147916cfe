-- One row per quarantined raw line (exactly one, duplicates included) and one per flag of a kept line, from
-- the dq_<reason_code> flags of the classified lines (dq_issue_rows); the action comes from the seed.
with

issues as (
    {{ dq_issue_rows(
        ref('int_online_retail__invoice_lines_classified'), 'online_retail',
        detail=online_retail_dq_detail('reasons.reason_code')
    ) }}
),

reason_codes as (
    select * from {{ ref('dq_reason_codes') }}
    where source_system = 'online_retail'
),

final as (
    select
        {{ safe_cast_value('issues.source_table', dbt.type_string()) }} as source_table,
        {{ safe_cast_value('issues.record_key', dbt.type_string()) }} as record_key,
        {{ safe_cast_value('issues.reason_code', dbt.type_string()) }} as reason_code,
        {{ safe_cast_value('reason_codes.action', dbt.type_string()) }} as action,
        {{ safe_cast_value('issues.detail', dbt.type_string()) }} as detail
    from issues
    left join reason_codes
        on
            issues.source_table = reason_codes.source_table
            and issues.reason_code = reason_codes.reason_code
)

select * from final
