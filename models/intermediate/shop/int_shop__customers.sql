-- One row per surviving customer: the roots of merge chains, plus customers known only from order lines
-- (unknown users), inferred so that every order line's customer exists here.
with

users as (
    select * from {{ ref('int_shop__users') }}
),

orders as (
    select * from {{ ref('int_shop__orders_checked') }}
),

merged_counts as (
    select
        root_user_id,
        count(*) as merged_accounts
    from users
    where quarantine_reason is null and is_merged
    group by root_user_id
),

surviving as (
    select
        users.user_id as customer_id,
        users.created_at as signed_up_at,
        users.is_deleted,
        {{ safe_cast_value('coalesce(merged_counts.merged_accounts, 0)', dbt.type_int()) }} as merged_accounts,
        false as is_inferred
    from users
    left join merged_counts on users.user_id = merged_counts.root_user_id
    where users.quarantine_reason is null and users.root_user_id = users.user_id
),

inferred as (
    select distinct
        customer_id,
        {{ safe_cast_value('null', dbt.type_timestamp()) }} as signed_up_at,
        false as is_deleted,
        0 as merged_accounts,
        true as is_inferred
    from orders
    where dq_unknown_user and quarantine_reason is null
),

unioned as (
    select * from surviving
    union all
    select * from inferred
),

final as (
    select
        {{ safe_cast_value('customer_id', dbt.type_bigint()) }} as customer_id,
        signed_up_at,
        is_deleted,
        {{ safe_cast_value('merged_accounts', dbt.type_int()) }} as merged_accounts,
        is_inferred,
        {{ safe_cast_value('null', dbt.type_string()) }} as country
    from unioned
)

select * from final
