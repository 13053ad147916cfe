"""The k-means step of both references: DuckDB has no k-means, so the floor hands its RFM table to this too.

It does what the segmentation models do and what a notebook would: log1p of recency, frequency and monetary
(all three are heavily right-skewed), standardised, k from 2 to 10 scored by silhouette on a fixed-seed sample
of at most 5,000 customers (as the segmentation models), the best silhouette wins (ties: smaller k), and the
chosen k labels every customer. The models also measure bootstrap stability; the references do not.

k-means runs single-threaded (threadpoolctl): on a busy 2-core machine OpenMP's spinning worker threads made
the same fit 20 times slower, and at these sizes (one row per customer) one thread is as fast as two.
"""

from __future__ import annotations

import numpy as np

SEED = 42
K_RANGE = range(3, 11)  # k >= 3, the business floor of the segment model
SILHOUETTE_SAMPLE = 5_000


def features(recency_days, frequency, monetary) -> np.ndarray:
    raw = np.column_stack([recency_days, frequency, monetary]).astype(float)
    logged = np.log1p(np.clip(raw, 0, None))
    spread = logged.std(axis=0)
    spread[spread == 0] = 1.0
    return (logged - logged.mean(axis=0)) / spread


def segment(scaled: np.ndarray) -> dict:
    """Choose k and label each row; returns {"k": chosen k, "labels": array, "silhouettes": {k: score}}."""
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        return _segment(scaled, KMeans, silhouette_score)


def _segment(scaled: np.ndarray, KMeans, silhouette_score) -> dict:

    n = len(scaled)
    if n < 3:
        return {"k": 1, "labels": np.zeros(n, dtype=int), "silhouettes": {}}
    rng = np.random.default_rng(SEED)
    sample = rng.choice(n, size=min(n, SILHOUETTE_SAMPLE), replace=False)
    best_k, best_score, best_labels, scores = None, -np.inf, None, {}
    for k in K_RANGE:
        if k >= n:
            break
        labels = KMeans(n_clusters=k, n_init=10, random_state=SEED).fit_predict(scaled)
        if len(set(labels[sample])) < 2:
            continue
        score = float(silhouette_score(scaled[sample], labels[sample]))
        scores[k] = score
        if score > best_score:
            best_k, best_score, best_labels = k, score, labels
    if best_labels is None:
        return {"k": 1, "labels": np.zeros(n, dtype=int), "silhouettes": scores}
    return {"k": best_k, "labels": best_labels, "silhouettes": scores}
