"""What the two dbt Python models call: the engine's relation in, a typed relation out (through ..frames).

Work that grows with the data stays in the engine: only the four columns the model needs (one row per
customer) are pulled into pandas, and the result is joined back to customer_rfm in the engine, so the original
typed recency_days / frequency / monetary never round-trip through floats.
"""

from __future__ import annotations

import pandas as pd

from ..frames import empty, from_pandas, join, rows, to_pandas
from .clustering import RANDOM_SEED, fit_segments, name_segments, segment_levels
from .features import (
    FEATURES,
    LOG_FEATURES,
    SCALED_FEATURES,
    SegmentationInputError,
    transform_features,
    validate_rfm,
)
from .selection import SELECTION_COLUMNS, evaluate_k

RFM_MODEL = "customer_rfm"
SELECTION_MODEL = "segment_model_selection"

#: Column types of marts.segment_model_selection (as in its yml contract).
SELECTION_TYPES = {
    "k": "integer",
    "inertia": "double",
    "silhouette": "double",
    "davies_bouldin": "double",
    "calinski_harabasz": "double",
    "is_chosen": "boolean",
    "stability_ari": "double",
    "stability_ari_min": "double",
    "smallest_segment_share": "double",
    "customers": "bigint",
    "silhouette_sample_size": "integer",
    "algorithm": "string",
}

#: Per-customer columns computed in pandas, with their types.
ASSIGNMENT_TYPES = {
    "customer_id": "bigint",
    "segment_id": "integer",
    "segment_name": "string",
    "recency_level": "string",
    "frequency_level": "string",
    "monetary_level": "string",
    **dict.fromkeys(LOG_FEATURES, "double"),
    **dict.fromkeys(SCALED_FEATURES, "double"),
    "distance_to_centroid": "double",
}

#: Column types of marts.customer_segments: the assignments around customer_rfm's own RFM values.
CUSTOMER_SEGMENTS_TYPES = {
    **{
        c: ASSIGNMENT_TYPES[c]
        for c in (
            "customer_id",
            "segment_id",
            "segment_name",
            "recency_level",
            "frequency_level",
            "monetary_level",
        )
    },
    "recency_days": "integer",
    "frequency": "integer",
    "monetary": "decimal(38, 3)",
    **{c: ASSIGNMENT_TYPES[c] for c in (*LOG_FEATURES, *SCALED_FEATURES, "distance_to_centroid")},
    "n_segments": "integer",
}


def read_rfm(relation, source: str = RFM_MODEL) -> pd.DataFrame:
    """customer_id and the three RFM features as float64: validated, one row per customer, sorted by key."""
    columns = {c.lower() for c in relation.columns}
    missing = [c for c in ("customer_id", *FEATURES) if c not in columns]
    if missing:
        raise SegmentationInputError(f"{source}: missing column(s) {', '.join(missing)}")
    frame = to_pandas(relation, ["customer_id", *FEATURES])
    # money arrives as Decimal objects; a null customer_id stays null for validate_rfm to report
    frame = frame.astype({"customer_id": "Int64", **{c: "float64" for c in FEATURES}})
    return validate_rfm(frame, source).astype({"customer_id": "int64"})


def assign_segments(rfm: pd.DataFrame, k: int, seed: int = RANDOM_SEED) -> pd.DataFrame:
    """Per customer: canonical segment id and name, the levels behind the name, the model's features."""
    rfm = validate_rfm(rfm)
    if not 2 <= k < len(rfm):
        raise SegmentationInputError(f"{RFM_MODEL}: cannot form {k} segments from {len(rfm)} customers")
    features, _ = transform_features(rfm)
    scaled = features[list(SCALED_FEATURES)].to_numpy()
    fit = fit_segments(scaled, k, seed=seed)
    levels = segment_levels(fit.centers, features["monetary"].to_numpy(), fit.segment_ids)
    by_id = {s.segment_id: s for s in name_segments(levels, fit.centers)}
    out = pd.DataFrame({"customer_id": features["customer_id"].to_numpy(), "segment_id": fit.segment_ids})
    out["segment_name"] = [by_id[i].segment_name for i in fit.segment_ids]
    for attribute in ("recency_level", "frequency_level", "monetary_level"):
        out[attribute] = [getattr(by_id[i], attribute) for i in fit.segment_ids]
    for name in (*LOG_FEATURES, *SCALED_FEATURES):
        out[name] = features[name].to_numpy()
    out["distance_to_centroid"] = fit.distances
    return out


def select_k(rfm: pd.DataFrame, seed: int = RANDOM_SEED) -> pd.DataFrame:
    """The model-selection table for a validated RFM frame."""
    features, _ = transform_features(validate_rfm(rfm))
    return evaluate_k(features[list(SCALED_FEATURES)].to_numpy(), seed=seed)


def chosen_k(selection_relation, override=None) -> int:
    """The override (model config meta n_segments) if set, else the one k flagged is_chosen."""
    if override is not None:
        try:
            return int(override)
        except (TypeError, ValueError) as exc:
            raise SegmentationInputError(
                f"customer_segments: config meta n_segments must be an integer, got {override!r}"
            ) from exc
    chosen = rows(selection_relation, ["k"], where="is_chosen")
    if len(chosen) != 1:
        raise SegmentationInputError(
            f"{SELECTION_MODEL}: expected exactly one row with is_chosen, found {len(chosen)}"
        )
    return int(chosen[0][0])


def segment_model_selection(session, rfm_relation):
    """Body of the dbt model segment_model_selection (no row when customer_rfm has none)."""
    types = {c: SELECTION_TYPES[c] for c in SELECTION_COLUMNS}
    rfm = read_rfm(rfm_relation)
    if rfm.empty:
        return empty(session, types)
    return from_pandas(session, select_k(rfm), types)


def customer_segments(session, rfm_relation, selection_relation, n_segments=None):
    """Body of the dbt model customer_segments: one row per customer_rfm row."""
    rfm = read_rfm(rfm_relation)
    if rfm.empty:
        return empty(session, CUSTOMER_SEGMENTS_TYPES)
    k = chosen_k(selection_relation, n_segments)
    assignments = assign_segments(rfm, k)
    if len(assignments) != len(rfm):  # pragma: no cover - a guard, assign_segments keeps every row
        raise SegmentationInputError(f"customer_segments: {len(assignments)} rows for {len(rfm)} customers")
    assigned = from_pandas(session, assignments, ASSIGNMENT_TYPES)
    return join(
        rfm_relation,
        assigned,
        "l.customer_id = r.customer_id",
        [
            f"cast({k} as {kind}) as {name}"
            if name == "n_segments"
            # the RFM values come from customer_rfm as they are, never through pandas floats
            else f"cast({'l' if name in FEATURES else 'r'}.{name} as {kind}) as {name}"
            for name, kind in CUSTOMER_SEGMENTS_TYPES.items()
        ],
    )


def fitted_centroids(assignments: pd.DataFrame) -> pd.DataFrame:
    """Mean scaled features per segment (the centroids), for tests and notebooks."""
    return assignments.groupby("segment_id")[list(SCALED_FEATURES)].mean().sort_index()


__all__ = [
    "assign_segments",
    "chosen_k",
    "customer_segments",
    "fitted_centroids",
    "read_rfm",
    "segment_model_selection",
    "select_k",
]
