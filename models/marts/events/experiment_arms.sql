-- Shop only: online_retail has no event log. A user counts once per test, in the arm of their FIRST assignment
-- (ties broken by event id): a later re-assignment must not move a user, or the arms would share users.
{{ config(enabled=var('source_system') == 'shop') }}

with

events as (
    select * from {{ ref('int_shop__events') }}
),

order_lines as (
    select * from {{ ref('int_order_lines') }}
),

assignment_events as (
    select
        test_id,
        test_assignment,
        customer_id,
        event_at,
        event_id
    from events
    where
        event_name = 'test_assignment'
        and customer_id is not null
        and test_id is not null
        and test_assignment in (0, 1)
),

ranked_assignments as (
    select
        test_id,
        test_assignment,
        customer_id,
        event_at,
        row_number() over (partition by test_id, customer_id order by event_at, event_id) as assignment_number
    from assignment_events
),

assignments as (
    select
        test_id,
        test_assignment,
        customer_id,
        event_at as assigned_at
    from ranked_assignments
    where assignment_number = 1
),

sale_lines as (
    select
        order_key,
        customer_id,
        paid_at,
        line_revenue
    from order_lines
    where
        line_type = 'sale'
        and customer_id is not null
),

user_outcomes as (
    -- only what happened at or after the assignment can be an effect of the test
    select
        assignments.test_id,
        assignments.test_assignment,
        assignments.customer_id,
        count(distinct sale_lines.order_key) as orders,
        coalesce(sum(sale_lines.line_revenue), 0) as revenue
    from assignments
    left join sale_lines
        on
            assignments.customer_id = sale_lines.customer_id
            and assignments.assigned_at <= sale_lines.paid_at
    group by assignments.test_id, assignments.test_assignment, assignments.customer_id
),

arm_totals as (
    select
        test_id,
        test_assignment,
        count(*) as users,
        sum(case when orders > 0 then 1 else 0 end) as buyers,
        sum(orders) as orders,
        sum(revenue) as revenue
    from user_outcomes
    group by test_id, test_assignment
),

final as (
    select
        cast(test_id as {{ dbt.type_int() }}) as test_id,
        cast(test_assignment as {{ dbt.type_int() }}) as test_assignment,
        cast(case when test_assignment = 1 then 'treatment' else 'control' end as {{ dbt.type_string() }}) as arm,
        cast(users as {{ dbt.type_bigint() }}) as users,
        cast(buyers as {{ dbt.type_bigint() }}) as buyers,
        cast(buyers * 1e0 / nullif(users, 0) as {{ type_double() }}) as conversion_rate,
        cast(orders as {{ dbt.type_bigint() }}) as orders,
        cast(revenue as decimal(38, 3)) as revenue,
        cast(revenue / nullif(users, 0) as decimal(38, 3)) as revenue_per_user
    from arm_totals
)

select * from final
