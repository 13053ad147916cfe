"""One row per customer_rfm row: probability of buying in the next H days and the expected revenue, from the
model trained at as_of_date - H with the outcomes up to as_of_date. Logic in ecom_analytics.predictions."""

from ecom_analytics.predictions import customer_predictions


def model(dbt, session):
    dbt.config(materialized="table", schema="marts")
    return customer_predictions(
        session,
        dbt.ref("prediction_cutoffs"),
        dbt.ref("customer_cutoff_features"),
        dbt.ref("customer_cutoff_outcomes"),
    )
