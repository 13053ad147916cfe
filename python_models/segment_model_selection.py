"""One row per candidate number of segments k (3..10, a business floor): fit quality, stability, chosen k.

The logic (feature transform, metrics, choice rule) lives in ecom_analytics.segmentation, where pytest covers
it; only customer_id and the three RFM features (one row per customer) leave the engine.
"""

from ecom_analytics.segmentation import segment_model_selection


def model(dbt, session):
    dbt.config(materialized="table", schema="marts")
    return segment_model_selection(session, dbt.ref("customer_rfm"))
