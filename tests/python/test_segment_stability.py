"""segment_stability's logic: an unchanged customer base is stable, a shifted one is not, new customers are
placed by the earlier fit's nearest centroid, and the refit interval counts the months at ARI >= 0.8 in a
row."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ecom_analytics.segmentation.stability import (
    compare_with_current,
    recommended_refit_months,
    stability_table,
)


def rfm_blobs(n_per_group=200, seed=0, first_id=1) -> pd.DataFrame:
    """Three well separated kinds of customer in log RFM space."""
    rng = np.random.default_rng(seed)
    centres = [(5, 10, 2000), (60, 3, 300), (600, 1, 40)]
    rows = []
    for recency, frequency, monetary in centres:
        rows.append(
            pd.DataFrame(
                {
                    "recency_days": recency * np.exp(rng.normal(0, 0.1, n_per_group)),
                    "frequency": np.maximum(1, np.round(frequency * np.exp(rng.normal(0, 0.1, n_per_group)))),
                    "monetary": monetary * np.exp(rng.normal(0, 0.1, n_per_group)),
                }
            )
        )
    frame = pd.concat(rows, ignore_index=True)
    frame.insert(0, "customer_id", np.arange(first_id, first_id + len(frame)))
    frame["group"] = np.repeat([1, 2, 3], n_per_group)
    return frame


def test_same_customers_same_segments_give_ari_one_and_new_customers_land_right():
    current = pd.concat([rfm_blobs(), rfm_blobs(seed=1, first_id=10_001)], ignore_index=True)
    segments = current[["customer_id"]].assign(segment_id=current["group"])
    earlier = current[current["customer_id"] < 10_000]
    result = compare_with_current(earlier.drop(columns="group"), current.drop(columns="group"), segments, k=3)
    assert result["shared_customers"] == 600 and result["new_customers"] == 600
    assert result["ari_shared"] == pytest.approx(1.0)
    assert result["new_customer_agreement"] == pytest.approx(1.0)


def test_a_changed_customer_base_lowers_the_ari():
    current = rfm_blobs()
    segments = current[["customer_id"]].assign(segment_id=current["group"])
    # back then, every customer's values were unrelated to the groups of today
    earlier = current.copy()
    rng = np.random.default_rng(5)
    for column in ("recency_days", "frequency", "monetary"):
        earlier[column] = rng.permutation(earlier[column].to_numpy())
    result = compare_with_current(earlier.drop(columns="group"), current.drop(columns="group"), segments, k=3)
    assert result["ari_shared"] < 0.2


def test_recommended_refit_months_counts_the_run_at_or_above_the_floor():
    assert recommended_refit_months(pd.Series({1: 0.95, 2: 0.85, 3: 0.79, 4: 0.9})) == 2
    assert recommended_refit_months(pd.Series({1: 0.7, 2: 0.9})) == 1
    assert recommended_refit_months(pd.Series({m: 0.99 for m in range(1, 13)})) == 12
    assert recommended_refit_months(pd.Series({1: 0.9, 2: np.nan, 3: 0.9})) == 1


def test_stability_table_has_one_row_per_month_and_is_deterministic():
    current = rfm_blobs()
    segments = current[["customer_id"]].assign(segment_id=current["group"])
    months = {m: current.drop(columns="group").iloc[: 600 - 40 * m] for m in (1, 2, 3)}
    first = stability_table(months, current.drop(columns="group"), segments, k=3)
    assert first["months_before"].tolist() == [1, 2, 3]
    assert (first["k"] == 3).all() and first["recommended_refit_months"].nunique() == 1
    pd.testing.assert_frame_equal(
        first, stability_table(months, current.drop(columns="group"), segments, k=3)
    )
