-- Shop only. The per-test lift is built from the arm rows, buyers never exceed users, p-values are probabilities.
{{ config(enabled=var('source_system') == 'shop') }}

with

arms as (
    select * from {{ ref('experiment_arms') }}
),

lift as (
    select * from {{ ref('experiment_lift') }}
),

arm_totals as (
    select
        test_id,
        sum(users) as users,
        sum(buyers) as buyers
    from arms
    group by test_id
),

bad_arms as (
    select
        'buyers exceed users' as problem,
        test_id
    from arms
    where buyers > users or buyers < 0
),

bad_lift as (
    select
        'lift does not match its arms' as problem,
        lift.test_id
    from lift
    left join arm_totals
        on lift.test_id = arm_totals.test_id
    where
        arm_totals.test_id is null
        or lift.control_users + lift.treatment_users != arm_totals.users
        or lift.control_buyers + lift.treatment_buyers != arm_totals.buyers
),

bad_p as (
    select
        'p-value outside 0..1' as problem,
        test_id
    from lift
    where p_value < 0 or p_value > 1
),

final as (
    select * from bad_arms
    union all
    select * from bad_lift
    union all
    select * from bad_p
)

select * from final
