"""Choosing the number of segments k.

For every candidate k (3..10) one fit on all customers (the same fit `customer_segments` makes for that k)
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
from scipy.spatial.distance import cdist
from sklearn.metrics import adjusted_rand_score, calinski_harabasz_score, davies_bouldin_score

from ..threads import single_threaded
from .clustering import RANDOM_SEED, fit_segments, make_estimator
from .features import SegmentationInputError

#: The business floor: two segments ("buyers" and "the rest") give a marketing team nothing to act on that RFM
#: scores do not already say, so the choice is made among k >= 3 even where the silhouette prefers 2 (the UCI
#: file: 0.432 at k = 2).
K_MIN = 3
K_MAX = 10
SILHOUETTE_SAMPLE = 5_000
SILHOUETTE_DECIMALS = 3
#: Rows of the sample's distances computed at a time by `mean_silhouettes` (512 x 5,000 doubles: 20 MB).
SILHOUETTE_CHUNK_ROWS = 512
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
    """k from k_min to k_max, capped at n_customers - 1 (silhouette needs k <= n - 1)."""
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


def mean_silhouettes(
    points: np.ndarray, labelings: list[np.ndarray], chunk_rows: int = SILHOUETTE_CHUNK_ROWS
) -> list[float]:
    """Mean silhouette of each labelling of `points` (scikit-learn's silhouette_score, Euclidean), all of
    them in one pass over the distances, chunk_rows rows at a time.

    The n x n distance matrix is never held: at the 5,000-customer sample it is 200 MB, and allocating and
    re-reading it for every k cost more than the k-means fits. Per chunk, the distances to every point are
    summed per cluster of every labelling with `np.add.reduceat` over the columns grouped by cluster: not a
    matrix product, whose BLAS sums in an order that depends on the thread count (a rebuild then differed
    in the last digit).
    Each labelling needs at least two clusters and fewer clusters than points (as silhouette_score).
    """
    n = len(points)
    encoded = [np.unique(labels, return_inverse=True) for labels in labelings]
    sizes = [np.bincount(codes).astype(float) for _, codes in encoded]
    # Columns grouped by cluster, so each cluster's distances are one contiguous run to sum.
    orders = [np.argsort(codes, kind="stable") for _, codes in encoded]
    starts = [np.concatenate(([0], np.cumsum(size)[:-1])).astype(int) for size in sizes]
    intra = np.zeros((len(labelings), n))
    inter = np.zeros((len(labelings), n))
    for start in range(0, n, chunk_rows):
        rows = slice(start, min(start + chunk_rows, n))
        distances = cdist(points[rows], points)
        positions = np.arange(distances.shape[0])
        for j, ((_, codes), size) in enumerate(zip(encoded, sizes, strict=True)):
            own = codes[rows]
            sums = np.add.reduceat(distances[:, orders[j]], starts[j], axis=1)
            intra[j, rows] = sums[positions, own]
            means = sums / size
            means[positions, own] = np.inf
            inter[j, rows] = means.min(axis=1)
    scores = []
    for j, ((_, codes), size) in enumerate(zip(encoded, sizes, strict=True)):
        with np.errstate(divide="ignore", invalid="ignore"):
            a = intra[j] / (size[codes] - 1)
            samples = (inter[j] - a) / np.maximum(a, inter[j])
        # a point alone in its cluster scores 0 (0/0 above), as in scikit-learn
        scores.append(float(np.mean(np.nan_to_num(samples))))
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
    rows, sample_labels = [], {}
    for k in candidate_ks(n, k_min, k_max):
        fit = fit_segments(scaled, k, seed=seed)
        labels = fit.segment_ids
        distinct = len(np.unique(labels))
        # Metrics need at least two non-empty clusters (duplicate points can leave k-means with fewer).
        if 1 < len(np.unique(labels[sample])) < len(sample):
            sample_labels[k] = labels[sample]
        stability = bootstrap_stability(scaled, labels, k, sample, bootstrap_rounds, seed)
        separated = distinct > 1
        rows.append(
            {
                "k": k,
                "inertia": fit.inertia,
                "silhouette": np.nan,
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
    if sample_labels:
        scores = dict(
            zip(sample_labels, mean_silhouettes(scaled[sample], list(sample_labels.values())), strict=True)
        )
        frame["silhouette"] = frame["k"].map(scores).astype(float)
    if frame["silhouette"].isna().all():
        raise SegmentationInputError(
            f"customer_rfm: the {n} customers have too few distinct RFM values to form two segments"
        )
    frame["is_chosen"] = choose_k(frame["silhouette"].fillna(-np.inf), frame["k"])
    return frame[list(SELECTION_COLUMNS)]
