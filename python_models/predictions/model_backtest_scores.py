"""One row per (model, customer) scored at the evaluate cutoff by the model and the two baselines, each fitted
before that cutoff, with what the customer actually did next. Logic in ecom_analytics.predictions."""

from ecom_analytics.predictions import model_backtest_scores


def model(dbt, session):
    dbt.config(materialized="table", schema="marts")
    return model_backtest_scores(
        session,
        dbt.ref("prediction_cutoffs"),
        dbt.ref("customer_cutoff_features"),
        dbt.ref("customer_cutoff_outcomes"),
    )
