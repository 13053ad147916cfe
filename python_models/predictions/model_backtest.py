"""One row per model: out-of-time AUC with a bootstrap interval, top-decile revenue capture, Brier score and
predicted over actual revenue. Logic in ecom_analytics.predictions."""

from ecom_analytics.predictions import model_backtest


def model(dbt, session):
    dbt.config(materialized="table", schema="marts")
    return model_backtest(session, dbt.ref("model_backtest_scores"))
