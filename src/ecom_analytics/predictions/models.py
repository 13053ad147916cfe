"""What the dbt Python models of the predictions call: the engine's relations in, typed relations out
(through ..frames).

Only one cutoff's features (one row per customer) are pulled into pandas at a time; the features themselves
are computed in SQL (customer_cutoff_features).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..frames import aggregate, empty, from_pandas, is_empty, rows, to_pandas
from . import evaluation
from .baselines import score_bgnbd, score_rfm
from .bgnbd import ModelFitError
from .propensity import MODEL_FEATURES, fit_propensity

MODELS = ("model", "rfm_score", "bg_nbd")

SCORE_TYPES = {
    "model": "string",
    "customer_id": "bigint",
    "score": "double",
    "purchase_probability": "double",
    "expected_revenue": "double",
    "score_decile": "integer",
    "value_decile": "integer",
    "purchased": "boolean",
    "actual_revenue": "decimal(38, 3)",
}

BACKTEST_TYPES = {
    "model": "string",
    "customers": "bigint",
    "buyers": "bigint",
    "base_rate": "double",
    "auc": "double",
    "auc_low": "double",
    "auc_high": "double",
    "top_decile_revenue_capture": "double",
    "brier": "double",
    "predicted_revenue": "double",
    "actual_revenue": "double",
    "predicted_over_actual_revenue": "double",
    "bootstrap_rounds": "integer",
}

PREDICTION_TYPES = {
    "customer_id": "bigint",
    "purchase_probability": "double",
    "expected_revenue": "double",
    "value_decile": "integer",
}

#: The split every backtest row was judged on, between `model` and the rest of its columns.
CUTOFF_TYPES = {"train_cutoff": "date", "eval_cutoff": "date", "horizon_days": "integer"}

#: Column types of the tables the dbt models build (marts.<name>); a key keeps its first place, so the
#: `model` and `customer_id` of the frame types stay first.
MODEL_BACKTEST_SCORES_TYPES = {"model": "string", **CUTOFF_TYPES, **SCORE_TYPES}
MODEL_BACKTEST_TYPES = {"model": "string", **CUTOFF_TYPES, **BACKTEST_TYPES}
CUSTOMER_PREDICTIONS_TYPES = {
    "customer_id": "bigint",
    "as_of_date": "date",
    "horizon_days": "integer",
    **PREDICTION_TYPES,
}


@dataclass(frozen=True)
class Cutoff:
    role: str
    cutoff_date: dt.date
    horizon_days: int
    as_of_date: dt.date


def read_cutoffs(cutoffs_relation) -> dict[str, Cutoff]:
    """The train, evaluate and score cutoffs of prediction_cutoffs."""
    found = rows(
        cutoffs_relation,
        ["cutoff_role", "cutoff_date", "horizon_days", "as_of_date"],
        where="cutoff_role in ('train', 'evaluate', 'score')",
    )
    cutoffs = {role: Cutoff(role, date, int(horizon), as_of) for role, date, horizon, as_of in found}
    missing = {"train", "evaluate", "score"} - set(cutoffs)
    if missing:
        raise ModelFitError(f"prediction_cutoffs: no row for cutoff_role {sorted(missing)}")
    return cutoffs


def read_customers(features_relation, cutoff: Cutoff, outcomes_relation=None) -> pd.DataFrame:
    """One row per customer at the cutoff (sorted by customer_id), with the outcomes when given."""
    predicate = f"cutoff_date = date '{cutoff.cutoff_date.isoformat()}'"
    columns = ["customer_id", *MODEL_FEATURES, "rfm_score"]
    casts = [
        "cast(customer_id as bigint) as customer_id",
        "rfm_score",
        *(f"cast({c} as double) as {c}" for c in MODEL_FEATURES),
    ]
    frame = to_pandas(features_relation, casts, where=predicate)[columns]
    if outcomes_relation is not None:
        outcomes = to_pandas(
            outcomes_relation,
            ["cast(customer_id as bigint) as customer_id", "purchased", "cast(revenue as double) as revenue"],
            where=predicate,
        )
        frame = frame.merge(outcomes, on="customer_id", how="left", validate="one_to_one")
        if frame["purchased"].isna().any():
            raise ModelFitError(
                f"customer_cutoff_outcomes: customers without an outcome at {cutoff.cutoff_date}"
            )
        frame["purchased"] = frame["purchased"].astype(bool)
    if frame.empty:
        raise ModelFitError(
            f"customer_cutoff_features: no customer with a sale before the {cutoff.role} cutoff "
            f"{cutoff.cutoff_date}; lower var prediction_horizon_days ({cutoff.horizon_days})"
        )
    return frame.sort_values("customer_id", kind="mergesort").reset_index(drop=True)


def score_models(train: pd.DataFrame, scored: pd.DataFrame, horizon_days: int) -> dict[str, pd.DataFrame]:
    """Per model: score, purchase_probability, expected_revenue for each row of `scored`."""
    propensity = fit_propensity(train, train["purchased"], train["revenue"])
    probability, revenue = propensity.predict(scored)
    return {
        "model": pd.DataFrame(
            {"score": probability, "purchase_probability": probability, "expected_revenue": revenue}
        ),
        "rfm_score": score_rfm(train, scored),
        "bg_nbd": score_bgnbd(scored, horizon_days),
    }


def backtest_scores_frame(train: pd.DataFrame, evaluated: pd.DataFrame, horizon_days: int) -> pd.DataFrame:
    """Long frame: one row per (model, customer scored at the evaluate cutoff) with the actual outcome."""
    parts = []
    for name, scores in score_models(train, evaluated, horizon_days).items():
        part = scores.copy()
        part.insert(0, "customer_id", evaluated["customer_id"].to_numpy())
        part.insert(0, "model", name)
        part["score_decile"] = evaluation.deciles(part["score"], part["customer_id"])
        part["value_decile"] = evaluation.deciles(part["expected_revenue"], part["customer_id"])
        part["purchased"] = evaluated["purchased"].to_numpy()
        part["actual_revenue"] = evaluated["revenue"].to_numpy()
        parts.append(part)
    return pd.concat(parts, ignore_index=True)[list(SCORE_TYPES)]


def backtest_metrics(scores: pd.DataFrame, rounds: int = evaluation.BOOTSTRAP_ROUNDS) -> dict:
    """The metrics of one model's out-of-time scores (columns of backtest_scores_frame)."""
    purchased = scores["purchased"].to_numpy(dtype=float)
    low, high = evaluation.auc_interval(scores["score"], purchased, rounds=rounds)
    predicted, actual = float(scores["expected_revenue"].sum()), float(scores["actual_revenue"].sum())
    return {
        "customers": len(scores),
        "buyers": int(purchased.sum()),
        "base_rate": float(purchased.mean()),
        "auc": evaluation.auc(scores["score"], purchased),
        "auc_low": low,
        "auc_high": high,
        # Who to target for revenue is ranked by predicted value, for every model alike.
        "top_decile_revenue_capture": evaluation.revenue_capture(
            scores["expected_revenue"], scores["customer_id"], scores["actual_revenue"]
        ),
        "brier": evaluation.brier(scores["purchase_probability"], purchased),
        "predicted_revenue": predicted,
        "actual_revenue": actual,
        "predicted_over_actual_revenue": predicted / actual if actual > 0 else np.nan,
        "bootstrap_rounds": rounds,
    }


def predictions_frame(train: pd.DataFrame, scored: pd.DataFrame) -> pd.DataFrame:
    """The production predictions: fitted on `train` (evaluate cutoff + outcomes), scored on `scored`."""
    probability, revenue = fit_propensity(train, train["purchased"], train["revenue"]).predict(scored)
    out = pd.DataFrame(
        {
            "customer_id": scored["customer_id"].to_numpy(),
            "purchase_probability": probability,
            "expected_revenue": revenue,
        }
    )
    out["value_decile"] = evaluation.deciles(out["expected_revenue"], out["customer_id"])
    return out


def model_backtest_scores(session, cutoffs_relation, features_relation, outcomes_relation):
    """Body of the dbt model model_backtest_scores (no row when no customer has a sale)."""
    if is_empty(features_relation):
        return empty(session, MODEL_BACKTEST_SCORES_TYPES)
    cutoffs = read_cutoffs(cutoffs_relation)
    train = read_customers(features_relation, cutoffs["train"], outcomes_relation)
    evaluated = read_customers(features_relation, cutoffs["evaluate"], outcomes_relation)
    frame = backtest_scores_frame(train, evaluated, cutoffs["evaluate"].horizon_days)
    split = {
        "train_cutoff": cutoffs["train"].cutoff_date,
        "eval_cutoff": cutoffs["evaluate"].cutoff_date,
        "horizon_days": cutoffs["evaluate"].horizon_days,
    }
    return from_pandas(session, frame.assign(**split), MODEL_BACKTEST_SCORES_TYPES)


def model_backtest(session, scores_relation):
    """Body of the dbt model model_backtest: one row per model (none when no customer was scored)."""
    if is_empty(scores_relation):
        return empty(session, MODEL_BACKTEST_TYPES)
    ((train_cutoff, eval_cutoff, horizon_days),) = rows(
        aggregate(scores_relation, [], ["min(train_cutoff)", "min(eval_cutoff)", "min(horizon_days)"])
    )
    metrics = []
    for name in MODELS:
        scores = to_pandas(
            scores_relation,
            [
                "customer_id",
                "score",
                "purchase_probability",
                "expected_revenue",
                "purchased",
                "cast(actual_revenue as double) as actual_revenue",
            ],
            where=f"model = '{name}'",
        )
        if scores.empty:
            raise ModelFitError(f"model_backtest_scores: no rows for model {name}")
        scores = scores.sort_values("customer_id", kind="mergesort", ignore_index=True)
        metrics.append({"model": name, **backtest_metrics(scores)})
    split = {"train_cutoff": train_cutoff, "eval_cutoff": eval_cutoff, "horizon_days": horizon_days}
    return from_pandas(session, pd.DataFrame(metrics).assign(**split), MODEL_BACKTEST_TYPES)


def customer_predictions(session, cutoffs_relation, features_relation, outcomes_relation):
    """Body of the dbt model customer_predictions: one row per customer with a sale before as_of_date."""
    if is_empty(features_relation):
        return empty(session, CUSTOMER_PREDICTIONS_TYPES)
    cutoffs = read_cutoffs(cutoffs_relation)
    train = read_customers(features_relation, cutoffs["evaluate"], outcomes_relation)
    scored = read_customers(features_relation, cutoffs["score"])
    score = cutoffs["score"]
    frame = predictions_frame(train, scored).assign(
        as_of_date=score.as_of_date, horizon_days=score.horizon_days
    )
    return from_pandas(session, frame, CUSTOMER_PREDICTIONS_TYPES)
