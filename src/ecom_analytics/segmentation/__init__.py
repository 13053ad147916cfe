"""Customer segmentation: the logic behind the dbt Python models `segment_model_selection` and
`customer_segments`.

Pipeline: customer_rfm -> log1p + standardise (`features`) -> k-means for k = 3..10 and a documented choice of
k (`selection`) -> a seeded fit with canonical segment ids and names (`clustering`). `models` holds the two
functions the dbt models call; everything is deterministic (fixed seeds, rows sorted by customer_id).
"""

from .clustering import (
    MINIBATCH_THRESHOLD,
    N_INIT,
    RANDOM_SEED,
    Segment,
    SegmentFit,
    canonicalise,
    fit_segments,
)
from .features import (
    FEATURES,
    LOG_FEATURES,
    SCALED_FEATURES,
    SegmentationInputError,
    transform_features,
    validate_rfm,
)
from .models import assign_segments, chosen_k, customer_segments, read_rfm, segment_model_selection, select_k
from .selection import K_MAX, K_MIN, SILHOUETTE_SAMPLE, evaluate_k

__all__ = [
    "FEATURES",
    "K_MAX",
    "K_MIN",
    "LOG_FEATURES",
    "MINIBATCH_THRESHOLD",
    "N_INIT",
    "RANDOM_SEED",
    "SCALED_FEATURES",
    "SILHOUETTE_SAMPLE",
    "Segment",
    "SegmentFit",
    "SegmentationInputError",
    "assign_segments",
    "canonicalise",
    "chosen_k",
    "customer_segments",
    "evaluate_k",
    "fit_segments",
    "read_rfm",
    "segment_model_selection",
    "select_k",
    "transform_features",
    "validate_rfm",
]
