-- Every flagged, corrected or quarantined raw record of the active source with its reason. Reads the shared
-- shape only, so it is the same model for the shop and for online_retail.
with

issues as (
    select * from {{ ref('int_dq_issues') }}
),

final as (
    select
        source_table,
        record_key,
        reason_code,
        action,
        detail
    from issues
)

select * from final
