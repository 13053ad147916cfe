"""The two baselines the propensity model must beat, scored on the same cutoffs.

- `rfm_score`: r_score + f_score + m_score (3..15) at the cutoff ranks the customers. Its probability and
  expected revenue (for the Brier score, calibration and revenue ratio) are the purchase rate and mean
  revenue of the customers with the same score at the train cutoff (a lookup learned out of time).
- `bg_nbd`: BG/NBD + Gamma-Gamma (see `bgnbd`). They need no labels, so they are fitted on the history before
  the cutoff they score - the most recent data they may see, their strongest version.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .bgnbd import DAYS_PER_WEEK, bgnbd_inputs, fit_bgnbd, fit_gamma_gamma


def rfm_lookup(train: pd.DataFrame) -> pd.DataFrame:
    """Per rfm_score at the train cutoff: purchase rate and mean revenue in the next H days."""
    return (
        train.groupby("rfm_score")
        .agg(probability=("purchased", "mean"), revenue=("revenue", "mean"))
        .astype(float)
    )


def score_rfm(train: pd.DataFrame, scored: pd.DataFrame) -> pd.DataFrame:
    """score, purchase_probability, expected_revenue per customer of `scored` (rows in its order)."""
    lookup = rfm_lookup(train)
    overall = (float(train["purchased"].mean()), float(train["revenue"].mean()))
    probability = scored["rfm_score"].map(lookup["probability"]).fillna(overall[0])
    revenue = scored["rfm_score"].map(lookup["revenue"]).fillna(overall[1])
    return pd.DataFrame(
        {
            "score": scored["rfm_score"].to_numpy(dtype=float),
            "purchase_probability": probability.to_numpy(dtype=float),
            "expected_revenue": revenue.to_numpy(dtype=float),
        }
    )


def score_bgnbd(scored: pd.DataFrame, horizon_days: int) -> pd.DataFrame:
    """BG/NBD probability of an order in the next H days and expected orders x Gamma-Gamma order value."""
    x, t_x, T = bgnbd_inputs(scored)
    horizon = horizon_days / DAYS_PER_WEEK
    transactions = fit_bgnbd(x, t_x, T)
    spend = fit_gamma_gamma(scored["frequency"], scored["avg_order_value"])
    probability = np.clip(transactions.probability_purchase(x, t_x, T, horizon), 0.0, 1.0)
    orders = transactions.expected_orders(x, t_x, T, horizon)
    value = spend.expected_order_value(scored["frequency"], scored["avg_order_value"].clip(lower=0))
    revenue = np.nan_to_num(orders * value, nan=0.0, posinf=0.0)
    return pd.DataFrame(
        {
            "score": probability,
            "purchase_probability": probability,
            "expected_revenue": np.maximum(revenue, 0.0),
        }
    )
