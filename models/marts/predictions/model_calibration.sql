-- Per model and score decile of the out-of-time backtest: what the model predicted against what happened,
-- the table behind the calibration and lift charts.
with

scores as (

    select * from {{ ref('model_backtest_scores') }}

),

totals as (

    select
        model,
        sum(actual_revenue) as model_actual_revenue
    from scores
    group by model

),

by_decile as (

    -- Doubles are summed as decimals: a sum of doubles depends on the order parallel threads add them, and two
    -- builds of the same data must give identical tables.
    select
        model,
        score_decile,
        count(*) as customers,
        sum(cast(purchase_probability as decimal(38, 12))) / count(*) as predicted_purchase_rate,
        sum(case when purchased then 1 else 0 end) / count(*) as actual_purchase_rate,
        sum(cast(expected_revenue as decimal(38, 6))) as predicted_revenue,
        sum(actual_revenue) as actual_revenue,
        min(score) as min_score,
        max(score) as max_score
    from scores
    group by model, score_decile

),

final as (

    select
        by_decile.model,
        cast(by_decile.score_decile as {{ dbt.type_int() }}) as score_decile,
        cast(by_decile.customers as {{ dbt.type_bigint() }}) as customers,
        cast(by_decile.predicted_purchase_rate as {{ type_double() }}) as predicted_purchase_rate,
        cast(by_decile.actual_purchase_rate as {{ type_double() }}) as actual_purchase_rate,
        cast(by_decile.predicted_revenue as {{ type_double() }}) as predicted_revenue,
        cast(by_decile.actual_revenue as decimal(38, 3)) as actual_revenue,
        cast(
            case
                when totals.model_actual_revenue > 0
                    then by_decile.actual_revenue / totals.model_actual_revenue
            end
            as {{ type_double() }}
        ) as actual_revenue_share,
        cast(by_decile.min_score as {{ type_double() }}) as min_score,
        cast(by_decile.max_score as {{ type_double() }}) as max_score
    from by_decile
    inner join totals
        on by_decile.model = totals.model

)

select * from final
