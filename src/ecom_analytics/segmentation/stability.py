"""How long a segmentation stays valid: refits at the monthly cutoffs of the last year against today's fit.

At each earlier cutoff (1..12 months before as_of_date) the customers' recency, frequency and monetary value
as they were then (customer_cutoff_features, computed in SQL from the lines before the cutoff) are
transformed like today's (log1p, standardised over that cutoff's customers) and clustered with today's k.
Each earlier fit is compared with the current one (customer_segments):

- `ari_shared`: adjusted Rand index between the earlier fit's segments and today's, on the customers in both;
  how much of today's segmentation the earlier one already had.
- new customers (a first sale after the cutoff) are assigned to the earlier fit's nearest centroid, with
  their features as of today in the earlier fit's scale: how a segmentation that is not refitted places them.
  Each earlier segment stands for the segment of today most of its shared customers are in, and
  `new_customer_agreement` is the share of new customers whose nearest-centroid segment stands for the
  segment today's fit gives them (an ARI would be meaningless here: new customers are mostly one kind).

The recommended refit interval is the number of months the earlier fits stay at ARI >= 0.8 in a row (at
least 1: a segmentation already off after a month should be refitted monthly). Each refit uses a fixed-seed
sample of at most SILHOUETTE_SAMPLE customers and fewer restarts (the fit is only compared, never published),
so its cost does not grow with the data; every customer is then assigned to the nearest centroid.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.metrics import adjusted_rand_score

from ..frames import empty, from_pandas, rows, to_pandas
from ..threads import single_threaded
from .clustering import RANDOM_SEED, make_estimator
from .features import FEATURES, fit_scaler, log_features, validate_rfm
from .selection import BOOTSTRAP_N_INIT, SILHOUETTE_SAMPLE, sample_index

#: An earlier fit that agrees with today's at an ARI of at least this still describes the same segments.
ARI_FLOOR = 0.8

STABILITY_COLUMNS = (
    "months_before",
    "customers_at_cutoff",
    "shared_customers",
    "ari_shared",
    "new_customers",
    "new_customer_agreement",
    "k",
    "recommended_refit_months",
)


def fit_at_cutoff(rfm: pd.DataFrame, k: int, seed: int = RANDOM_SEED):
    """k-means on one cutoff's RFM (fitted on a fixed-seed sample); returns (labels of every row, scaler,
    fitted estimator)."""
    rfm = validate_rfm(rfm)
    logged = log_features(rfm)
    scaler = fit_scaler(logged)
    scaled = scaler.transform(logged)
    sample = sample_index(len(scaled), SILHOUETTE_SAMPLE, seed)
    estimator = make_estimator(k, len(sample), seed=seed, n_init=BOOTSTRAP_N_INIT)
    estimator.fit(scaled[sample])
    return estimator.predict(scaled), scaler, estimator


def compare_with_current(
    earlier: pd.DataFrame,
    current: pd.DataFrame,
    current_segments: pd.DataFrame,
    k: int,
    seed: int = RANDOM_SEED,
) -> dict:
    """One earlier cutoff against today: `earlier` and `current` are RFM frames (customer_id + FEATURES),
    `current_segments` customer_id and segment_id of today's fit."""
    labels, scaler, estimator = fit_at_cutoff(earlier, k, seed)
    earlier = validate_rfm(earlier).assign(earlier_label=labels)
    today = validate_rfm(current).merge(
        current_segments, on="customer_id", how="inner", validate="one_to_one"
    )
    shared = today.merge(earlier[["customer_id", "earlier_label"]], on="customer_id", how="inner")
    new = today[~today["customer_id"].isin(earlier["customer_id"])]
    agreement = np.nan
    if len(new) and len(shared):
        # each earlier segment -> today's segment most of its shared customers are in (ties: smaller id)
        counts = shared.groupby(["earlier_label", "segment_id"]).size().reset_index(name="n")
        counts = counts.sort_values(["earlier_label", "n", "segment_id"], ascending=[True, False, True])
        stands_for = counts.drop_duplicates("earlier_label").set_index("earlier_label")["segment_id"]
        assigned = pd.Series(estimator.predict(scaler.transform(log_features(new)))).map(stands_for)
        agreement = float((assigned.to_numpy() == new["segment_id"].to_numpy()).mean())
    return {
        "customers_at_cutoff": len(earlier),
        "shared_customers": len(shared),
        "ari_shared": float(adjusted_rand_score(shared["segment_id"], shared["earlier_label"]))
        if len(shared)
        else np.nan,
        "new_customers": len(new),
        "new_customer_agreement": agreement,
    }


def recommended_refit_months(ari_by_month: pd.Series, floor: float = ARI_FLOOR) -> int:
    """Months (1, 2, ...) the earlier fits stay at ARI >= floor in a row, at least 1."""
    months = 0
    for month in sorted(ari_by_month.index):
        value = ari_by_month.loc[month]
        if not (value >= floor):  # a missing ARI (no shared customer) ends the run too
            break
        months = month
    return max(months, 1)


@single_threaded
def stability_table(
    rfm_by_month: dict[int, pd.DataFrame], current: pd.DataFrame, current_segments: pd.DataFrame, k: int
) -> pd.DataFrame:
    """One row per earlier monthly cutoff (columns STABILITY_COLUMNS)."""
    rows = []
    for months_before in sorted(rfm_by_month):
        earlier = rfm_by_month[months_before]
        if len(earlier) <= k:  # too few customers then to form k segments
            continue
        rows.append(
            {"months_before": months_before, **compare_with_current(earlier, current, current_segments, k)}
        )
    table = pd.DataFrame(
        rows, columns=[c for c in STABILITY_COLUMNS if c not in ("k", "recommended_refit_months")]
    )
    table["k"] = k
    table["recommended_refit_months"] = recommended_refit_months(
        table.set_index("months_before")["ari_shared"]
    )
    return table[list(STABILITY_COLUMNS)]


STABILITY_TYPES = {
    "months_before": "integer",
    "customers_at_cutoff": "bigint",
    "shared_customers": "bigint",
    "ari_shared": "double",
    "new_customers": "bigint",
    "new_customer_agreement": "double",
    "k": "integer",
    "recommended_refit_months": "integer",
}

#: Column types of marts.segment_stability.
SEGMENT_STABILITY_TYPES = {"cutoff_date": "date", **STABILITY_TYPES}


def segment_stability(session, cutoffs_relation, features_relation, rfm_relation, segments_relation):
    """Body of the dbt model segment_stability (no row when customer_rfm has none)."""
    columns = [
        "cast(customer_id as bigint) as customer_id",
        *(f"cast({c} as double) as {c}" for c in FEATURES),
    ]
    current = to_pandas(rfm_relation, columns)
    if current.empty:
        return empty(session, SEGMENT_STABILITY_TYPES)
    refits = rows(cutoffs_relation, ["months_before", "cutoff_date"], where="cutoff_role = 'refit'")
    cutoffs = {int(months): date for months, date in refits}
    rfm_by_month = {
        months: to_pandas(features_relation, columns, where=f"cutoff_date = date '{date.isoformat()}'")
        for months, date in cutoffs.items()
    }
    segments = to_pandas(segments_relation, ["cast(customer_id as bigint) as customer_id", "segment_id"])
    k = int(segments["segment_id"].max())
    table = stability_table(rfm_by_month, current, segments, k)
    table["cutoff_date"] = table["months_before"].map(cutoffs)
    return from_pandas(session, table, SEGMENT_STABILITY_TYPES)
