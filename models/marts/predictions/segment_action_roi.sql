-- What each action would return in each segment over the next H days, from the predictions and the assumed
-- economics of the segment_action_economics seed: an extra buyer is worth what that customer is expected to
-- spend when buying, the uplift cannot push a probability above 1, and every customer of the segment is
-- contacted.
with

predictions as (

    select * from {{ ref('customer_predictions') }}

),

segments as (

    select * from {{ ref('customer_segments') }}

),

profiles as (

    select * from {{ ref('segment_profiles') }}

),

economics as (

    select * from {{ ref('segment_action_economics') }}

),

customer_value as (

    select
        segments.segment_id,
        predictions.customer_id,
        predictions.purchase_probability,
        predictions.expected_revenue,
        case
            when predictions.purchase_probability > 0
                then predictions.expected_revenue / predictions.purchase_probability
            else 0
        end as spend_if_buying
    from predictions
    inner join segments
        on predictions.customer_id = segments.customer_id

),

per_action as (

    -- Money is summed as decimals so two builds of the same data agree to the last digit.
    select
        customer_value.segment_id,
        economics.action_id,
        count(*) as customers,
        sum(cast(customer_value.expected_revenue as decimal(38, 6))) as expected_revenue,
        sum(
            cast(
                least(economics.purchase_probability_uplift, 1 - customer_value.purchase_probability)
                * customer_value.spend_if_buying
                as decimal(38, 6)
            )
        ) as incremental_revenue,
        max(economics.contact_cost_per_customer) as contact_cost_per_customer,
        max(economics.margin_rate) as margin_rate
    from customer_value
    cross join economics
    group by customer_value.segment_id, economics.action_id

),

priced as (

    select
        segment_id,
        action_id,
        customers,
        cast(expected_revenue as decimal(38, 3)) as expected_revenue,
        cast(incremental_revenue as decimal(38, 3)) as expected_incremental_revenue,
        cast(incremental_revenue * margin_rate as decimal(38, 3)) as incremental_margin,
        cast(customers * contact_cost_per_customer as decimal(38, 3)) as cost
    from per_action

),

final as (

    select
        cast(priced.segment_id as {{ dbt.type_int() }}) as segment_id,
        profiles.segment_name,
        priced.action_id,
        coalesce(profiles.action_id = priced.action_id, false) as is_recommended_action,
        cast(priced.customers as {{ dbt.type_bigint() }}) as customers,
        priced.expected_revenue,
        priced.expected_incremental_revenue,
        priced.incremental_margin,
        priced.cost,
        priced.incremental_margin - priced.cost as net_return,
        cast(
            case
                when priced.cost > 0 then (priced.incremental_margin - priced.cost) / priced.cost
            end
            as {{ type_double() }}
        ) as roi
    from priced
    inner join profiles
        on priced.segment_id = profiles.segment_id

)

select * from final
