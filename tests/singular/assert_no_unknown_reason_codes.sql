-- Every (source_table, reason_code, action) that the active source emits is documented in the seed
-- dq_reason_codes with that same action; returns the undocumented combinations.
with

issues as (
    select distinct
        source_table,
        reason_code,
        action
    from {{ ref('int_dq_issues') }}
),

codes as (
    select * from {{ ref('dq_reason_codes') }}
    where source_system = '{{ var("source_system", "shop") }}'
),

final as (
    select issues.*
    from issues
    left join codes
        on
            issues.source_table = codes.source_table
            and issues.reason_code = codes.reason_code
            and issues.action = codes.action
    where codes.reason_code is null
)

select * from final
