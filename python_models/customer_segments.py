"""One row per customer_rfm row: the customer's canonical k-means segment and the features the model used.

k is the one flagged is_chosen in segment_model_selection unless the model's config sets meta n_segments
(see _segmentation__models.yml). Logic in ecom_analytics.segmentation; the join back to customer_rfm
runs in the engine (DuckDB, or Spark on Databricks).
"""

from ecom_analytics.segmentation import customer_segments


def model(dbt, session):
    dbt.config(materialized="table", schema="marts")
    return customer_segments(
        session,
        dbt.ref("customer_rfm"),
        dbt.ref("segment_model_selection"),
        n_segments=dbt.config.meta_get("n_segments"),
    )
