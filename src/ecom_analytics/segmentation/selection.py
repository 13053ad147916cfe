"""Choosing the number of segments k.

For every candidate k (2..10) one fit on all customers (the same fit `customer_segments` makes for that k)
gives:
- inertia: within-cluster sum of squares (always falls with k; shown for the elbow, not used to choose);
- silhouette: mean silhouette on a fixed-seed sample of at most SILHOUETTE_SAMPLE customers (silhouette costs
  O(n^2): on a sample its cost stays flat however many customers there are);
- davies_bouldin (lower is better) and calinski_harabasz (higher is better) on all customers (both O(n x k));
- stability_ari: how reproducible the partition is. BOOTSTRAP_ROUNDS times, k-means is refitted on a bootstrap
  resample (drawn with replacement, seeded) of the silhouette sample; its clusters are assigned to the sample
  and compared with the full fit's labels there by the adjusted Rand index (1 = same partition, ~0 =
  unrelated). The mean over the rounds is stability_ari, the worst round stability_ari_min.

Rule for `is_chosen`: the k with the highest silhouette after rounding it to SILHOUETTE_DECIMALS decimals;
ties go to the smaller k (fewer segments are easier to act on). Silhouette rewards clusters that are both
tight and apart, does not drift upwards with k like inertia or calinski_harabasz, and is the usual single
criterion for k-means.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.metrics import (
    adjusted_rand_score,
    calinski_harabasz_score,
    davies_bouldin_score,
    pairwise_distances,
    silhouette_score,
)

from .clustering import RANDOM_SEED, fit_segments, make_estimator, single_threaded
from .features import SegmentationInputError

K_MIN = 2
K_MAX = 10
SILHOUETTE_SAMPLE = 5_000
SILHOUETTE_DECIMALS = 3
BOOTSTRAP_ROUNDS = 5
#: Restarts of each bootstrap refit (fewer than the main fit: these only measure stability).
BOOTSTRAP_N_INIT = 4

SELECTION_COLUMNS = (
    "k",
    "inertia",
    "silhouette",
    "davies_bouldin",
    "calinski_harabasz",
    "is_chosen",
    "stability_ari",
    "stability_ari_min",
    "smallest_segment_share",
    "customers",
    "silhouette_sample_size",
    "algorithm",
)


def candidate_ks(n_customers: int, k_min: int = K_MIN, k_max: int = K_MAX) -> list[int]:
    """k from k_min to k_max, capped at n_customers - 1 (silhouette needs 2 <= k <= n - 1)."""
    ks = list(range(k_min, min(k_max, n_customers - 1) + 1))
    if not ks:
        raise SegmentationInputError(
            f"customer_rfm: {n_customers} customer(s); choosing among k={k_min}..{k_max} segments needs at "
            f"least {k_min + 1} customers with a sale"
        )
    return ks


def sample_index(n: int, size: int = SILHOUETTE_SAMPLE, seed: int = RANDOM_SEED) -> np.ndarray:
    """Sorted positions of a fixed-seed sample without replacement (all rows when n <= size)."""
    if n <= size:
        return np.arange(n)
    return np.sort(np.random.default_rng(seed).choice(n, size=size, replace=False))


@single_threaded
def bootstrap_stability(
    scaled: np.ndarray,
    reference_labels: np.ndarray,
    k: int,
    sample: np.ndarray,
    rounds: int = BOOTSTRAP_ROUNDS,
    seed: int = RANDOM_SEED,
) -> list[float]:
    """ARI between the reference fit and refits on bootstrap resamples, measured on `sample`."""
    points = scaled[sample]
    reference = reference_labels[sample]
    scores = []
    for round_ in range(rounds):
        rng = np.random.default_rng(seed + 1 + round_)
        draw = points[rng.integers(0, len(points), size=len(points))]
        estimator = make_estimator(k, len(draw), seed=seed + 1 + round_, n_init=BOOTSTRAP_N_INIT)
        estimator.fit(draw)
        scores.append(float(adjusted_rand_score(reference, estimator.predict(points))))
    return scores


def choose_k(silhouettes: pd.Series, ks: pd.Series) -> pd.Series:
    """Boolean mask: highest rounded silhouette, ties to the smaller k; exactly one True."""
    rounded = silhouettes.round(SILHOUETTE_DECIMALS)
    best = rounded.max()
    chosen_k = int(ks[rounded == best].min())
    return ks == chosen_k


@single_threaded
def evaluate_k(
    scaled: np.ndarray,
    k_min: int = K_MIN,
    k_max: int = K_MAX,
    seed: int = RANDOM_SEED,
    sample_size: int = SILHOUETTE_SAMPLE,
    bootstrap_rounds: int = BOOTSTRAP_ROUNDS,
) -> pd.DataFrame:
    """One row per candidate k with the quality metrics and the chosen flag (columns SELECTION_COLUMNS)."""
    n = len(scaled)
    sample = sample_index(n, sample_size, seed)
    # the sample's distances do not depend on k: computed once, every k's silhouette reads them
    sample_distances = pairwise_distances(scaled[sample])
    rows = []
    for k in candidate_ks(n, k_min, k_max):
        fit = fit_segments(scaled, k, seed=seed)
        labels = fit.segment_ids
        distinct = len(np.unique(labels))
        # Metrics need at least two non-empty clusters (duplicate points can leave k-means with fewer).
        sample_distinct = len(np.unique(labels[sample]))
        silhouette = np.nan
        if 1 < sample_distinct < len(sample):
            silhouette = float(silhouette_score(sample_distances, labels[sample], metric="precomputed"))
        stability = bootstrap_stability(scaled, labels, k, sample, bootstrap_rounds, seed)
        separated = distinct > 1
        rows.append(
            {
                "k": k,
                "inertia": fit.inertia,
                "silhouette": silhouette,
                "davies_bouldin": float(davies_bouldin_score(scaled, labels)) if separated else np.nan,
                "calinski_harabasz": float(calinski_harabasz_score(scaled, labels)) if separated else np.nan,
                "stability_ari": float(np.mean(stability)) if stability else np.nan,
                "stability_ari_min": float(np.min(stability)) if stability else np.nan,
                "smallest_segment_share": float(np.bincount(labels, minlength=k + 1)[1:].min() / n),
                "customers": n,
                "silhouette_sample_size": len(sample),
                "algorithm": fit.algorithm,
            }
        )
    frame = pd.DataFrame(rows)
    if frame["silhouette"].isna().all():
        raise SegmentationInputError(
            f"customer_rfm: the {n} customers have too few distinct RFM values to form two segments"
        )
    frame["is_chosen"] = choose_k(frame["silhouette"].fillna(-np.inf), frame["k"])
    return frame[list(SELECTION_COLUMNS)]
