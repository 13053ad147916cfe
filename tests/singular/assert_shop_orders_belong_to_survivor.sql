{{ config(enabled=var('source_system', 'shop') == 'shop') }}
-- Orders from a merged account belong to the surviving customer: every clean line of a known, clean user
-- carries a customer that is not itself merged into another account and that exists in int_shop__customers.
-- Returns the lines that break it.
with

lines as (
    select * from {{ ref('int_shop__order_lines') }}
),

users as (
    select * from {{ ref('int_shop__users') }}
),

customers as (
    select * from {{ ref('int_shop__customers') }}
),

final as (
    select
        lines.line_key,
        lines.source_customer_id,
        lines.customer_id
    from lines
    inner join users
        on lines.source_customer_id = users.user_id
    left join users as survivor
        on lines.customer_id = survivor.user_id
    left join customers
        on lines.customer_id = customers.customer_id
    where
        users.quarantine_reason is null
        and (
            lines.customer_id is null
            or customers.customer_id is null
            or survivor.is_merged
            or (survivor.parent_user_id is not null and not survivor.dq_missing_merge_parent)
        )
)

select * from final
