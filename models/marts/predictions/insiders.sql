-- Who is an Insider today and why, and who was one at the evaluate cutoff (as_of_date - H): the rules of the
-- insiders_rules seed applied to the predictions at both dates, so entries and exits are visible.
with

predictions as (

    select * from {{ ref('customer_predictions') }}

),

cutoffs as (

    select * from {{ ref('prediction_cutoffs') }}
    where cutoff_role in ('evaluate', 'score')

),

features as (

    select customer_cutoff_features.*
    from {{ ref('customer_cutoff_features') }} as customer_cutoff_features
    inner join cutoffs
        on customer_cutoff_features.cutoff_date = cutoffs.cutoff_date

),

rules as (

    select * from {{ ref('insiders_rules') }}

),

scored_now as (

    select
        predictions.customer_id,
        features.frequency,
        features.recency_days,
        predictions.expected_revenue
    from predictions
    inner join features
        on
            predictions.customer_id = features.customer_id
            and predictions.as_of_date = features.cutoff_date

),

scored_at_eval as (

    -- The propensity model's own out-of-time scores at the evaluate cutoff (trained before it).
    select
        backtest.customer_id,
        features.frequency,
        features.recency_days,
        backtest.expected_revenue
    from {{ ref('model_backtest_scores') }} as backtest
    inner join features
        on
            backtest.customer_id = features.customer_id
            and backtest.eval_cutoff = features.cutoff_date
    where backtest.model = 'model'

),

members_now as (

    {{ insiders_membership('scored_now') }}

),

members_at_eval as (

    {{ insiders_membership('scored_at_eval') }}

),

final as (

    select
        scored_now.customer_id,
        members_now.is_insider,
        members_now.deciding_rule_id,
        rules.rule_description as deciding_rule,
        coalesce(members_at_eval.is_insider, false) as was_insider_at_eval,
        case
            when members_now.is_insider and not coalesce(members_at_eval.is_insider, false) then 'entered'
            when not members_now.is_insider and coalesce(members_at_eval.is_insider, false) then 'left'
            when members_now.is_insider then 'stayed'
            else 'never'
        end as membership_change,
        scored_now.frequency,
        scored_now.recency_days,
        scored_now.expected_revenue
    from scored_now
    inner join members_now
        on scored_now.customer_id = members_now.customer_id
    inner join rules
        on members_now.deciding_rule_id = rules.rule_id
    left join members_at_eval
        on scored_now.customer_id = members_at_eval.customer_id

)

select * from final
