-- Shop only: online_retail has no event log. Two-proportion z-test of the conversion of treatment (1) against
-- control (0), pooled proportion under the null hypothesis, two-sided p-value from the normal CDF macro.
-- z and p are rounded: the erfc approximation behind p is exact only to about 1.5e-7.
{{ config(enabled=var('source_system') == 'shop') }}

with

arms as (
    select * from {{ ref('experiment_arms') }}
),

paired as (
    select
        test_id,
        sum(case when test_assignment = 0 then users else 0 end) as control_users,
        sum(case when test_assignment = 0 then buyers else 0 end) as control_buyers,
        sum(case when test_assignment = 0 then revenue else 0 end) as control_revenue,
        sum(case when test_assignment = 1 then users else 0 end) as treatment_users,
        sum(case when test_assignment = 1 then buyers else 0 end) as treatment_buyers,
        sum(case when test_assignment = 1 then revenue else 0 end) as treatment_revenue
    from arms
    group by test_id
),

rates as (
    select
        *,
        control_buyers * 1e0 / nullif(control_users, 0) as control_rate,
        treatment_buyers * 1e0 / nullif(treatment_users, 0) as treatment_rate,
        (control_buyers + treatment_buyers) * 1e0 / nullif(control_users + treatment_users, 0) as pooled_rate
    from paired
),

standard_errors as (
    select
        *,
        -- null when an arm is empty or nobody (everybody) converted: no test is possible then
        sqrt(
            pooled_rate * (1 - pooled_rate)
            * (1.0 / nullif(control_users, 0) + 1.0 / nullif(treatment_users, 0))
        ) as standard_error
    from rates
),

z_scores as (
    select
        *,
        (treatment_rate - control_rate) / nullif(standard_error, 0) as z_raw
    from standard_errors
),

final as (
    select
        cast(test_id as {{ dbt.type_int() }}) as test_id,
        cast(control_users as {{ dbt.type_bigint() }}) as control_users,
        cast(control_buyers as {{ dbt.type_bigint() }}) as control_buyers,
        cast(control_rate as {{ type_double() }}) as control_conversion_rate,
        cast(treatment_users as {{ dbt.type_bigint() }}) as treatment_users,
        cast(treatment_buyers as {{ dbt.type_bigint() }}) as treatment_buyers,
        cast(treatment_rate as {{ type_double() }}) as treatment_conversion_rate,
        cast(treatment_rate - control_rate as {{ type_double() }}) as absolute_lift,
        cast((treatment_rate - control_rate) / nullif(control_rate, 0) as {{ type_double() }}) as relative_lift,
        cast(pooled_rate as {{ type_double() }}) as pooled_conversion_rate,
        cast(standard_error as {{ type_double() }}) as standard_error,
        cast(round(z_raw, 4) as {{ type_double() }}) as z_score,
        cast(round({{ two_sided_p_value('z_raw') }}, 6) as {{ type_double() }}) as p_value,
        cast({{ two_sided_p_value('z_raw') }} < 0.05 as {{ dbt.type_boolean() }}) as is_significant_at_5pct,
        cast(control_revenue / nullif(control_users, 0) as decimal(38, 3)) as control_revenue_per_user,
        cast(treatment_revenue / nullif(treatment_users, 0) as decimal(38, 3)) as treatment_revenue_per_user
    from z_scores
)

select * from final
