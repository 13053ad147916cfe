"""One row: the Insiders program today (members, shares, expected revenue) and its out-of-time proof (members
picked at the evaluate cutoff, their share of the revenue that followed, bootstrap interval). Logic in
ecom_analytics.predictions.insiders."""

from ecom_analytics.predictions.insiders import insiders_summary


def model(dbt, session):
    dbt.config(materialized="table", schema="marts")
    return insiders_summary(
        session,
        dbt.ref("insiders"),
        dbt.ref("model_backtest_scores"),
        dbt.ref("fct_order_lines"),
        dbt.ref("prediction_cutoffs"),
    )
