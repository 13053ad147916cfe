-- Shop only: online_retail has no event log. A user counts once per test, in the arm of their FIRST assignment
-- (ties broken by event id): a later re-assignment must not move a user, or the arms would share users.
{{ config(enabled=var('source_system') == 'shop') }}
{#- an assignment that can count: an identified user put in arm 0 or 1 of a test #}
{%- set counted_assignment -%}
    event_name = 'test_assignment'
    and customer_id is not null
    and test_id is not null
    and test_assignment in (0, 1)
{%- endset %}

with

assignment_events as (
    select * from {{ ref('int_shop__events') }}
    where {{ counted_assignment }}
),

-- the same events, named again by each CTE that reads them: DuckDB materializes a CTE read twice
assignments_to_count as (
    select * from {{ ref('int_shop__events') }}
    where {{ counted_assignment }}
),

assignments_to_rank as (
    select * from {{ ref('int_shop__events') }}
    where {{ counted_assignment }}
),

order_lines as (
    select * from {{ ref('int_order_lines') }}
),

-- Almost every user is assigned once per test: only users assigned more than once are ranked (a window over
-- every assignment was most of this model's time on 16M assignments).
reassigned_users as (
    select
        test_id,
        customer_id
    from assignments_to_count
    group by test_id, customer_id
    having count(*) > 1
),

single_assignments as (
    select
        assignment_events.test_id,
        assignment_events.test_assignment,
        assignment_events.customer_id,
        assignment_events.event_at as assigned_at
    from assignment_events
    left join reassigned_users
        on
            assignment_events.test_id = reassigned_users.test_id
            and assignment_events.customer_id = reassigned_users.customer_id
    where reassigned_users.test_id is null
),

ranked_reassignments as (
    select
        assignments_to_rank.test_id,
        assignments_to_rank.test_assignment,
        assignments_to_rank.customer_id,
        assignments_to_rank.event_at,
        row_number() over (
            partition by assignments_to_rank.test_id, assignments_to_rank.customer_id
            order by assignments_to_rank.event_at, assignments_to_rank.event_id
        ) as assignment_number
    from assignments_to_rank
    inner join reassigned_users
        on
            assignments_to_rank.test_id = reassigned_users.test_id
            and assignments_to_rank.customer_id = reassigned_users.customer_id
),

assignments as (
    select * from single_assignments
    union all
    select
        test_id,
        test_assignment,
        customer_id,
        event_at as assigned_at
    from ranked_reassignments
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

-- Outcomes are counted for buyers only: most assigned users never buy, and a count of distinct orders per
-- assigned user was most of this model's time (16M assignments at scale 100).
buyer_outcomes as (
    -- only what happened at or after the assignment can be an effect of the test
    select
        assignments.test_id,
        assignments.test_assignment,
        assignments.customer_id,
        count(distinct sale_lines.order_key) as orders,
        sum(sale_lines.line_revenue) as revenue
    from assignments
    inner join sale_lines
        on
            assignments.customer_id = sale_lines.customer_id
            and assignments.assigned_at <= sale_lines.paid_at
    group by assignments.test_id, assignments.test_assignment, assignments.customer_id
),

arm_users as (
    select
        test_id,
        test_assignment,
        count(*) as users
    from assignments
    group by test_id, test_assignment
),

arm_buyers as (
    select
        test_id,
        test_assignment,
        count(*) as buyers,
        sum(orders) as orders,
        sum(revenue) as revenue
    from buyer_outcomes
    group by test_id, test_assignment
),

arm_totals as (
    select
        arm_users.test_id,
        arm_users.test_assignment,
        arm_users.users,
        coalesce(arm_buyers.buyers, 0) as buyers,
        coalesce(arm_buyers.orders, 0) as orders,
        coalesce(arm_buyers.revenue, 0) as revenue
    from arm_users
    left join arm_buyers
        on
            arm_users.test_id = arm_buyers.test_id
            and arm_users.test_assignment = arm_buyers.test_assignment
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
