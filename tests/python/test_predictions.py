"""The prediction package on its own: metrics against scikit-learn, the BG/NBD and Gamma-Gamma fits against
data simulated from known parameters, the propensity model on a planted signal, determinism."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from ecom_analytics.predictions import (
    MODEL_FEATURES,
    ModelFitError,
    backtest_metrics,
    backtest_scores_frame,
    evaluation,
    fit_bgnbd,
    fit_gamma_gamma,
    fit_propensity,
    predictions_frame,
)


def test_auc_equals_scikit_learn_with_ties():
    rng = np.random.default_rng(0)
    scores = rng.integers(0, 5, 500).astype(float)  # many ties
    outcomes = (rng.random(500) < 0.2 + 0.1 * scores).astype(int)
    assert evaluation.auc(scores, outcomes) == pytest.approx(roc_auc_score(outcomes, scores), abs=1e-12)


def test_auc_interval_brackets_the_auc_and_is_seeded():
    rng = np.random.default_rng(1)
    scores = rng.random(400)
    outcomes = (rng.random(400) < scores).astype(int)
    low, high = evaluation.auc_interval(scores, outcomes, rounds=100)
    assert low < evaluation.auc(scores, outcomes) < high
    assert (low, high) == evaluation.auc_interval(scores, outcomes, rounds=100)
    assert 0.03 < high - low < 0.2


def test_resample_counts_draw_every_customer_with_replacement():
    counts = evaluation.resample_counts(np.random.default_rng(3), 100_000)
    assert len(counts) == 100_000 and counts.sum() == 100_000 and counts.min() >= 0
    # with replacement: about 1/e of the customers are left out of a resample, 1/(2e) are drawn twice
    assert (counts == 0).mean() == pytest.approx(np.exp(-1), abs=0.01)
    assert (counts == 2).mean() == pytest.approx(np.exp(-1) / 2, abs=0.01)
    assert np.array_equal(counts, evaluation.resample_counts(np.random.default_rng(3), 100_000))


def test_revenue_capture_and_deciles_break_ties_by_key():
    scores = np.array([5.0, 5.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0])
    keys = np.array([9, 2, 3, 4, 5, 6, 7, 8, 1, 10])
    revenue = np.array([0.0, 60.0, 40.0, 0, 0, 0, 0, 0, 0, 0])
    # top 10% = 1 customer: the tie on 5.0 goes to key 2
    assert evaluation.revenue_capture(scores, keys, revenue) == pytest.approx(0.6)
    assert evaluation.top_rank_mask(scores, keys, 0.2).tolist() == [True, True] + [False] * 8
    deciles = evaluation.deciles(np.arange(23, dtype=float), np.arange(23))
    # ntile(10) over 23 rows: sizes 3,3,3,2,... and decile 1 holds the highest scores
    assert np.bincount(deciles)[1:].tolist() == [3, 3, 3, 2, 2, 2, 2, 2, 2, 2]
    assert deciles[-1] == 1 and deciles[0] == 10


def test_brier():
    assert evaluation.brier([1.0, 0.0, 0.5], [1, 0, 1]) == pytest.approx(0.25 / 3)


def simulate_bgnbd(n, r, alpha, a, b, T_max, seed=7):
    """Customers from the BG/NBD story: first order at 0, Poisson orders until dropping out after one."""
    rng = np.random.default_rng(seed)
    lam = rng.gamma(r, 1.0 / alpha, n)
    p = rng.beta(a, b, n)
    T = rng.uniform(T_max / 2, T_max, n)
    x, t_x = np.zeros(n), np.zeros(n)
    for i in range(n):
        t = 0.0
        while True:
            if rng.random() < p[i] and t > 0:
                break
            t += rng.exponential(1.0 / lam[i])
            if t > T[i]:
                break
            x[i] += 1
            t_x[i] = t
    return x, t_x, T


def test_bgnbd_recovers_simulated_parameters():
    x, t_x, T = simulate_bgnbd(4000, r=0.8, alpha=4.0, a=0.6, b=2.5, T_max=52)
    fit = fit_bgnbd(x, t_x, T)
    assert fit.r == pytest.approx(0.8, rel=0.2)
    assert fit.alpha == pytest.approx(4.0, rel=0.3)
    assert fit.a == pytest.approx(0.6, rel=0.35)
    assert fit.b == pytest.approx(2.5, rel=0.5)
    probability = fit.probability_purchase(x, t_x, T, 12.0)
    assert ((probability >= 0) & (probability <= 1)).all()
    # a customer who bought often and recently is likelier to buy than one silent since long ago
    assert fit.probability_alive([10], [50], [52])[0] > fit.probability_alive([10], [5], [52])[0]
    expected = fit.expected_orders(x, t_x, T, 12.0)
    assert np.isfinite(expected).all() and (expected >= 0).all()


def test_bgnbd_refuses_too_few_customers():
    with pytest.raises(ModelFitError, match="bg_nbd"):
        fit_bgnbd([1, 2], [1, 2], [3, 3])


def test_gamma_gamma_recovers_the_mean_spend():
    rng = np.random.default_rng(3)
    n, p, q, gamma = 3000, 6.0, 4.0, 15.0
    nu = rng.gamma(q, 1.0 / gamma, n)
    x = rng.integers(1, 8, n)
    means = np.array([rng.gamma(p, 1.0 / nu[i], x[i]).mean() for i in range(n)])
    fit = fit_gamma_gamma(x, means)
    population_mean = p * gamma / (q - 1)
    assert fit.p * fit.gamma / (fit.q - 1) == pytest.approx(population_mean, rel=0.1)
    # shrinkage: one order far above the mean is pulled towards the population mean
    assert population_mean < fit.expected_order_value([1], [200.0])[0] < 200.0


def planted_customers(n=2000, seed=11) -> pd.DataFrame:
    """Customers whose recent, frequent buying makes the next purchase likelier (a planted signal)."""
    rng = np.random.default_rng(seed)
    frequency = rng.integers(1, 12, n)
    tenure = rng.integers(100, 1500, n)
    recency = np.minimum(rng.integers(1, 700, n), tenure)
    monetary = frequency * rng.gamma(2.0, 40.0, n)
    frame = pd.DataFrame(
        {
            "customer_id": np.arange(1, n + 1),
            "recency_days": recency,
            "tenure_days": tenure,
            "frequency": frequency,
            "distinct_items": np.maximum(1, frequency - 1),
            "monetary": monetary,
            "avg_order_value": monetary / frequency,
            "spend_last_90d": np.where(recency < 90, monetary / frequency, 0.0),
            "spend_prior_90d": 0.0,
            "avg_days_between_orders": np.where(
                frequency > 1, (tenure - recency) / np.maximum(frequency - 1, 1), np.nan
            ),
            "returns_share": 0.0,
            "rfm_score": rng.integers(3, 16, n),
        }
    )
    logit = 1.5 - 0.006 * recency + 0.3 * frequency
    frame["purchased"] = rng.random(n) < 1 / (1 + np.exp(-logit))
    frame["revenue"] = np.where(frame["purchased"], frame["avg_order_value"] * rng.gamma(4.0, 0.25, n), 0.0)
    return frame


def test_propensity_learns_the_planted_signal_and_is_deterministic():
    train, held_out = planted_customers(seed=11), planted_customers(seed=12)
    model = fit_propensity(train, train["purchased"], train["revenue"])
    probability, revenue = model.predict(held_out)
    assert set(MODEL_FEATURES) <= set(held_out.columns)
    assert evaluation.auc(probability, held_out["purchased"]) > 0.8
    assert ((probability >= 0) & (probability <= 1)).all() and (revenue >= 0).all()
    again = fit_propensity(train, train["purchased"], train["revenue"]).predict(held_out)
    np.testing.assert_array_equal(probability, again[0])
    np.testing.assert_array_equal(revenue, again[1])


def test_propensity_with_one_outcome_predicts_that_rate():
    train = planted_customers(200)
    model = fit_propensity(train, np.zeros(200, dtype=bool), np.zeros(200))
    probability, revenue = model.predict(train)
    assert (probability == 0).all() and (revenue == 0).all()


def test_backtest_scores_every_model_and_the_model_beats_rfm_on_the_planted_signal():
    train, evaluated = planted_customers(seed=21), planted_customers(seed=22)
    scores = backtest_scores_frame(train, evaluated, horizon_days=90)
    assert sorted(scores["model"].unique()) == ["bg_nbd", "model", "rfm_score"]
    assert (scores.groupby("model").size() == len(evaluated)).all()
    metrics = {m: backtest_metrics(g, rounds=50) for m, g in scores.groupby("model")}
    assert metrics["model"]["auc"] > metrics["rfm_score"]["auc"]
    for values in metrics.values():
        assert values["auc_low"] <= values["auc"] <= values["auc_high"]
        assert 0 <= values["top_decile_revenue_capture"] <= 1


def test_predictions_frame_deciles_follow_expected_revenue():
    train, scored = planted_customers(seed=31), planted_customers(seed=32)
    out = predictions_frame(train, scored)
    assert len(out) == len(scored) and out["customer_id"].is_unique
    top = out.loc[out["value_decile"] == 1, "expected_revenue"].min()
    assert top >= out.loc[out["value_decile"] == 2, "expected_revenue"].max()


def test_insiders_summary_shares_and_interval():
    from ecom_analytics.predictions.insiders import share_interval, summarise

    now = pd.DataFrame(
        {
            "customer_id": [1, 2, 3, 4],
            "is_insider": [True, False, False, False],
            "expected_revenue": [30.0, 10.0, 0.0, 0.0],
            "last_year_revenue": [50.0, 50.0, 0.0, 0.0],
        }
    )
    at_eval = pd.DataFrame(
        {"customer_id": [1, 2], "was_insider": [True, False], "actual_revenue": [75.0, 25.0]}
    )
    row = summarise(now, at_eval, rounds=50)
    assert (row["members"], row["member_share"]) == (1, 0.25)
    assert row["last_year_revenue_share"] == 0.5 and row["expected_revenue_share"] == 0.75
    assert row["oot_revenue_share"] == 0.75 and row["oot_revenue_lift"] == 1.5
    rng = np.random.default_rng(4)
    values, mask = rng.gamma(1.0, 100.0, 500), rng.random(500) < 0.1
    low, high = share_interval(values, mask, rounds=200)
    point = values[mask].sum() / values.sum()
    assert low < point < high and (low, high) == share_interval(values, mask, rounds=200)


def test_baseline_fits_use_a_fixed_sample_above_the_cap():
    from ecom_analytics.predictions.bgnbd import FIT_SAMPLE, fit_rows

    assert fit_rows(50).tolist() == list(range(50))
    rows = fit_rows(FIT_SAMPLE * 3)
    assert len(rows) == FIT_SAMPLE and (np.diff(rows) > 0).all()
    np.testing.assert_array_equal(rows, fit_rows(FIT_SAMPLE * 3))


def test_expected_spend_is_capped_at_the_largest_training_revenue():
    train = planted_customers(seed=41)
    model = fit_propensity(train, train["purchased"], train["revenue"])
    far_out = planted_customers(50, seed=42)
    far_out["avg_order_value"] *= 1e6  # far outside anything the spend model saw
    far_out["monetary"] *= 1e6
    probability, revenue = model.predict(far_out)
    assert (revenue <= probability * train["revenue"].max() + 1e-9).all()
