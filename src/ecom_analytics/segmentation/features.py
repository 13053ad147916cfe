"""The feature space the segmentation clusters in.

Raw RFM values are heavily right-skewed (most customers buy once and spend little, a few buy often and spend a
lot) and on unrelated scales (days, orders, currency). k-means measures plain Euclidean distance, so without a
transform the monetary column alone would decide every cluster and its long tail would pull centroids towards
a handful of big spenders. Hence, per feature: ``log1p`` (tames the skew; ``log1p`` rather than ``log``
because recency can be 0 days and monetary can be 0 for free items) and then standardisation to mean 0 /
standard deviation 1 over all customers (puts the three features on one scale, so each weighs the same).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

#: The customer_rfm columns the model uses, in this order everywhere.
FEATURES: tuple[str, ...] = ("recency_days", "frequency", "monetary")
#: After log1p.
LOG_FEATURES: tuple[str, ...] = tuple(f"log_{name}" for name in FEATURES)
#: After log1p and standardisation: the space k-means runs in.
SCALED_FEATURES: tuple[str, ...] = tuple(f"z_{name}" for name in FEATURES)


class SegmentationInputError(ValueError):
    """The input of the segmentation is unusable; the message names the input and the problem."""


@dataclass(frozen=True)
class FeatureScaler:
    """Mean and standard deviation of each log1p feature over all customers (population std, ddof=0)."""

    mean: tuple[float, ...]
    std: tuple[float, ...]

    def transform(self, logged: np.ndarray) -> np.ndarray:
        std = np.asarray(self.std)
        # A feature that is constant over all customers carries no information: it maps to 0, not to a
        # division by zero.
        safe = np.where(std > 0, std, 1.0)
        return (logged - np.asarray(self.mean)) / safe


def validate_rfm(frame: pd.DataFrame, source: str = "customer_rfm") -> pd.DataFrame:
    """Check the input has one row per customer and usable RFM values; return it sorted by customer_id.

    Sorting by the key makes every fit independent of the order the rows arrive in (k-means++ seeding picks
    rows by position), so two builds of the same data give the same segments.
    """
    missing = [c for c in ("customer_id", *FEATURES) if c not in frame.columns]
    if missing:
        raise SegmentationInputError(f"{source}: missing column(s) {', '.join(missing)}")
    problems = []
    for column in ("customer_id", *FEATURES):
        nulls = int(frame[column].isna().sum())
        if nulls:
            problems.append(f"{nulls} row(s) with null {column}")
    for column in FEATURES:
        negative = frame[column] < 0
        if negative.any():
            examples = frame.loc[negative, "customer_id"].head(5).tolist()
            problems.append(f"{int(negative.sum())} row(s) with negative {column} (customer_id {examples})")
    duplicated = frame["customer_id"].duplicated(keep=False)
    if duplicated.any():
        examples = sorted(frame.loc[duplicated, "customer_id"].unique().tolist())[:5]
        problems.append(f"customer_id is not unique ({int(duplicated.sum())} rows, e.g. {examples})")
    if problems:
        raise SegmentationInputError(f"{source}: " + "; ".join(problems))
    return frame.sort_values("customer_id", kind="mergesort").reset_index(drop=True)


def log_features(frame: pd.DataFrame) -> np.ndarray:
    """log1p of recency_days, frequency and monetary (columns in FEATURES order)."""
    return np.log1p(frame[list(FEATURES)].to_numpy(dtype=np.float64))


def fit_scaler(logged: np.ndarray) -> FeatureScaler:
    return FeatureScaler(
        mean=tuple(float(v) for v in logged.mean(axis=0)),
        std=tuple(float(v) for v in logged.std(axis=0)),
    )


def transform_features(frame: pd.DataFrame) -> tuple[pd.DataFrame, FeatureScaler]:
    """Add the log1p and the standardised columns to a validated RFM frame; return it and the scaler."""
    logged = log_features(frame)
    scaler = fit_scaler(logged)
    scaled = scaler.transform(logged)
    out = frame.copy()
    for i, name in enumerate(LOG_FEATURES):
        out[name] = logged[:, i]
    for i, name in enumerate(SCALED_FEATURES):
        out[name] = scaled[:, i]
    return out, scaler
