"""Out-of-time metrics of a scored customer list: AUC with a bootstrap interval, top-decile revenue capture,
Brier score, predicted over actual revenue.

The bootstrap resamples customers with replacement (seeded). Each replicate's AUC is computed from the
resample's multiplicity per customer (resample_counts) over one sort of the scores, so a replicate costs
O(customers) and no score is re-sorted.
"""

from __future__ import annotations

import numpy as np

RANDOM_SEED = 42
BOOTSTRAP_ROUNDS = 200
INTERVAL = 0.95
TOP_SHARE = 0.10


def resample_counts(rng: np.random.Generator, n: int) -> np.ndarray:
    """How many times each of n customers is drawn in a resample of n with replacement.

    n uniform draws, counted: the distribution of a multinomial draw over n equal cells, which took five to
    six times as long (numpy draws a multinomial as one binomial per cell).
    """
    return np.bincount(rng.integers(0, n, size=n), minlength=n).astype(float)


def _weighted_auc(groups: np.ndarray, positive: np.ndarray, weights: np.ndarray, n_groups: int) -> float:
    """AUC (ties count one half) of customers weighted by `weights`, `groups` = rank of each score."""
    pos = np.bincount(groups, weights=weights * positive, minlength=n_groups)
    neg = np.bincount(groups, weights=weights * (1 - positive), minlength=n_groups)
    total_pos, total_neg = pos.sum(), neg.sum()
    if total_pos == 0 or total_neg == 0:
        return float("nan")
    below = np.cumsum(neg) - neg
    return float((pos * (below + 0.5 * neg)).sum() / (total_pos * total_neg))


def auc(scores, outcomes) -> float:
    """Area under the ROC curve: the chance a random buyer scores above a random non-buyer."""
    values, groups = np.unique(np.asarray(scores, dtype=float), return_inverse=True)
    positive = np.asarray(outcomes, dtype=float)
    return _weighted_auc(groups, positive, np.ones(len(positive)), len(values))


def auc_interval(
    scores, outcomes, rounds: int = BOOTSTRAP_ROUNDS, seed: int = RANDOM_SEED, level: float = INTERVAL
) -> tuple[float, float]:
    """Percentile bootstrap interval of the AUC over customers resampled with replacement."""
    values, groups = np.unique(np.asarray(scores, dtype=float), return_inverse=True)
    positive = np.asarray(outcomes, dtype=float)
    n = len(positive)
    rng = np.random.default_rng(seed)
    replicates = [
        _weighted_auc(groups, positive, resample_counts(rng, n), len(values)) for _ in range(rounds)
    ]
    tail = (1.0 - level) / 2.0
    low, high = np.nanquantile(replicates, [tail, 1.0 - tail])
    return float(low), float(high)


def top_rank_mask(scores, keys, share: float = TOP_SHARE) -> np.ndarray:
    """The first ceil(share x n) customers by score descending, ties broken by key ascending."""
    scores = np.asarray(scores, dtype=float)
    order = np.lexsort((np.asarray(keys), -scores))
    mask = np.zeros(len(scores), dtype=bool)
    mask[order[: int(np.ceil(share * len(scores)))]] = True
    return mask


def revenue_capture(scores, keys, revenue, share: float = TOP_SHARE) -> float:
    """Share of the actual revenue produced by the top `share` of customers by score."""
    revenue = np.asarray(revenue, dtype=float)
    total = revenue.sum()
    if total <= 0:
        return float("nan")
    return float(revenue[top_rank_mask(scores, keys, share)].sum() / total)


def brier(probabilities, outcomes) -> float:
    """Mean squared error of the predicted purchase probability (0 = perfect)."""
    p = np.asarray(probabilities, dtype=float)
    return float(np.mean((p - np.asarray(outcomes, dtype=float)) ** 2))


def deciles(scores, keys) -> np.ndarray:
    """Decile 1..10 by score descending (1 = the top 10%), ties broken by key, as SQL ntile(10) would."""
    scores = np.asarray(scores, dtype=float)
    n = len(scores)
    order = np.lexsort((np.asarray(keys), -scores))
    out = np.empty(n, dtype=np.int64)
    # ntile: the first n % 10 tiles get one extra row
    base, extra = divmod(n, 10)
    sizes = [base + (1 if i < extra else 0) for i in range(10)]
    out[order] = np.repeat(np.arange(1, 11), sizes)
    return out
