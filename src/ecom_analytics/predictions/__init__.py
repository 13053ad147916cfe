"""Customer predictions proven out of time: the logic behind the dbt Python models customer_predictions,
model_backtest_scores and model_backtest.

Features at any cutoff come from SQL (customer_cutoff_features). `propensity` fits the purchase and revenue
model (scikit-learn), `bgnbd` and `baselines` the two baselines it is judged against, `evaluation` the
out-of-time metrics, `models` the functions the dbt models call. Everything is seeded and sorted by
customer_id, so two builds give identical tables.
"""

from .bgnbd import BgNbd, GammaGamma, ModelFitError, fit_bgnbd, fit_gamma_gamma
from .models import (
    MODELS,
    backtest_metrics,
    backtest_scores_frame,
    customer_predictions,
    model_backtest,
    model_backtest_scores,
    predictions_frame,
)
from .propensity import MODEL_FEATURES, fit_propensity

__all__ = [
    "MODELS",
    "MODEL_FEATURES",
    "BgNbd",
    "GammaGamma",
    "ModelFitError",
    "backtest_metrics",
    "backtest_scores_frame",
    "customer_predictions",
    "fit_bgnbd",
    "fit_gamma_gamma",
    "fit_propensity",
    "model_backtest",
    "model_backtest_scores",
    "predictions_frame",
]
