"""Fitting k-means, numbering the clusters canonically and naming them.

k-means numbers its clusters arbitrarily (by the order its random seeding found them), so the raw label of a
group of customers can change when the data changes a little. Segment ids here are instead CANONICAL: the
clusters are sorted by their centroid (monetary descending, then frequency descending, then recency
ascending), so segment 1 is always the highest-value cluster and a rebuild never permutes the ids. Names
come from each segment's level on every feature relative to the whole customer base: recency and frequency
by the centroid (how recent and how often, in the model's scaled space), spend by plain money - the
segment's average spend against the quartiles of all customers' spend - so a "high-value" segment spends
like the top quarter of customers, whatever the log scale the clustering works on.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.cluster import KMeans, MiniBatchKMeans

from ..threads import single_threaded

#: Seed of every random choice of the segmentation (k-means++ seeding, samples, bootstraps).
RANDOM_SEED = 42
#: Restarts of k-means from different seedings; the fit with the lowest inertia wins.
N_INIT = 10
#: Above this many customers, MiniBatchKMeans replaces KMeans: full k-means costs O(customers x k x iterations
#: x restarts) per fit and the selection fits nine k values; mini-batches keep a build of a 100x shop (about
#: 600k customers) fast, while below the threshold the exact algorithm is cheap (about a second per fit at
#: 15k customers) and preferred.
MINIBATCH_THRESHOLD = 200_000
MINIBATCH_SIZE = 4_096
MINIBATCH_N_INIT = 3

#: Recency and frequency: a centroid coordinate (standardised: units of the overall standard deviation) below
#: -LEVEL_Z is `low`, above +LEVEL_Z is `high`, else `mid`. Half a standard deviation separates a clearly
#: different group from the bulk.
LEVEL_Z = 0.5
#: Spend: a segment's average monetary at or below the first quartile of all customers' monetary is `low`,
#: above the third quartile `high`, else `mid` - plain money a reader can check against the customer base.
SPEND_QUANTILES = (0.25, 0.75)

#: Words of the segment name per (feature, level). Recency is in days: a LOW recency means a RECENT buyer.
RECENCY_WORDS = {"low": "Recent", "mid": "Cooling", "high": "Lapsed"}
MONETARY_WORDS = {"low": "low-value", "mid": "mid-value", "high": "high-value"}
FREQUENCY_WORDS = {"low": "one-timers", "mid": "repeat buyers", "high": "regulars"}


@dataclass(frozen=True)
class Segment:
    """One canonical segment: id (1..k), name, the feature levels the name comes from, centroid (scaled)."""

    segment_id: int
    segment_name: str
    recency_level: str
    frequency_level: str
    monetary_level: str
    centroid: tuple[float, ...]


def algorithm_for(n_customers: int) -> str:
    return "kmeans" if n_customers <= MINIBATCH_THRESHOLD else "minibatch_kmeans"


def make_estimator(k: int, n_customers: int, seed: int = RANDOM_SEED, n_init: int = N_INIT):
    """KMeans below MINIBATCH_THRESHOLD customers, MiniBatchKMeans above; always seeded."""
    if algorithm_for(n_customers) == "kmeans":
        return KMeans(n_clusters=k, n_init=n_init, random_state=seed)
    return MiniBatchKMeans(
        n_clusters=k,
        n_init=MINIBATCH_N_INIT,
        batch_size=MINIBATCH_SIZE,
        random_state=seed,
    )


def level(z: float) -> str:
    if z < -LEVEL_Z:
        return "low"
    if z > LEVEL_Z:
        return "high"
    return "mid"


def spend_level(average: float, first_quartile: float, third_quartile: float) -> str:
    if average <= first_quartile:
        return "low"
    if average > third_quartile:
        return "high"
    return "mid"


def base_name(recency_level: str, frequency_level: str, monetary_level: str) -> str:
    """E.g. ('low', 'high', 'high') -> 'Recent high-value regulars'."""
    return (
        f"{RECENCY_WORDS[recency_level]} {MONETARY_WORDS[monetary_level]} {FREQUENCY_WORDS[frequency_level]}"
    )


def canonical_order(centers: np.ndarray) -> list[int]:
    """Raw cluster labels in canonical order: monetary desc, frequency desc, recency asc.

    `centers` has columns (recency, frequency, monetary) in the scaled space. Coordinates are rounded to 9
    decimals first so float noise between two runs cannot flip a near-tie; an exact tie on all three falls
    back to the raw label, which only happens for identical centroids.
    """
    rounded = np.round(np.asarray(centers, dtype=np.float64), 9)
    keys = [(-row[2], -row[1], row[0], label) for label, row in enumerate(rounded)]
    return [key[-1] for key in sorted(keys)]


def segment_levels(
    ordered_centers: np.ndarray, monetary: np.ndarray, segment_ids: np.ndarray
) -> list[tuple[str, str, str]]:
    """(recency, frequency, monetary) level of segments 1..k.

    `ordered_centers`: the scaled centroids in canonical order (columns recency, frequency, monetary);
    `monetary`: every customer's plain monetary, in the order of `segment_ids` (1..k per customer).
    """
    monetary = np.asarray(monetary, dtype=np.float64)
    first, third = (float(q) for q in np.quantile(monetary, SPEND_QUANTILES))
    levels = []
    for position, center in enumerate(np.asarray(ordered_centers, dtype=np.float64)):
        members = monetary[np.asarray(segment_ids) == position + 1]
        # An empty segment (k-means on duplicate points) has no spend: its centroid's side decides.
        average = float(members.mean()) if len(members) else (third + 1 if center[2] > 0 else first)
        levels.append((level(float(center[0])), level(float(center[1])), spend_level(average, first, third)))
    return levels


def name_segments(levels: list[tuple[str, str, str]], ordered_centers: np.ndarray) -> list[Segment]:
    """Segments 1..k from their levels (in canonical order); duplicate names get ' 2', ' 3' ... suffixes."""
    segments = []
    seen: dict[str, int] = {}
    for position, ((r, f, m), center) in enumerate(zip(levels, np.asarray(ordered_centers), strict=True)):
        name = base_name(r, f, m)
        seen[name] = seen.get(name, 0) + 1
        if seen[name] > 1:
            # Canonical order decides which duplicate is the plain name, so the suffixes are stable too.
            name = f"{name} {seen[name]}"
        segments.append(
            Segment(
                segment_id=position + 1,
                segment_name=name,
                recency_level=r,
                frequency_level=f,
                monetary_level=m,
                centroid=tuple(float(v) for v in center),
            )
        )
    return segments


@dataclass(frozen=True)
class SegmentFit:
    """A fitted, canonically numbered segmentation of one scaled feature matrix."""

    centers: np.ndarray  # centroids (scaled space) in canonical order: row i is segment i + 1
    segment_ids: np.ndarray  # per row of the input, 1..k
    distances: np.ndarray  # per row: Euclidean distance to its segment's centroid (scaled space)
    inertia: float
    algorithm: str


def canonicalise(centers: np.ndarray, raw_labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Renumber raw k-means labels to canonical segment ids 1..k; the centroids in that order."""
    order = canonical_order(centers)
    raw_to_id = np.empty(len(order), dtype=np.int64)
    for position, raw in enumerate(order):
        raw_to_id[raw] = position + 1
    return np.asarray(centers)[order], raw_to_id[np.asarray(raw_labels)]


@single_threaded
def fit_segments(scaled: np.ndarray, k: int, seed: int = RANDOM_SEED) -> SegmentFit:
    """Fit k clusters on the scaled feature matrix (rows already in a deterministic order)."""
    estimator = make_estimator(k, len(scaled), seed=seed)
    raw_labels = estimator.fit_predict(scaled)
    centers = estimator.cluster_centers_
    ordered, ids = canonicalise(centers, raw_labels)
    distances = np.linalg.norm(scaled - centers[raw_labels], axis=1)
    return SegmentFit(
        centers=ordered,
        segment_ids=ids,
        distances=distances,
        inertia=float(estimator.inertia_),
        algorithm=algorithm_for(len(scaled)),
    )
