"""One row per earlier monthly fit of the segmentation (1..12 months back): customers shared with today's fit,
their ARI against it, how new customers fare under nearest-centroid assignment, and the recommended refit
interval. Logic in ecom_analytics.segmentation.stability; the RFM at each cutoff comes from SQL."""

from ecom_analytics.segmentation.stability import segment_stability


def model(dbt, session):
    dbt.config(materialized="table", schema="marts")
    return segment_stability(
        session,
        dbt.ref("prediction_cutoffs"),
        dbt.ref("customer_cutoff_features"),
        dbt.ref("customer_rfm"),
        dbt.ref("customer_segments"),
    )
