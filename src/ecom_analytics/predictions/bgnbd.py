"""The BG/NBD baseline (Fader, Hardie and Lee 2005) with Gamma-Gamma spend (Fader, Hardie and Lee 2005b),
fitted by maximum likelihood with scipy (the `lifetimes` library is unmaintained and failed to converge on the
UCI file).

Per customer, in weeks: x = repeat orders (frequency - 1), t_x = age at the last order, T = age at the cutoff.
BG/NBD: while alive a customer buys as a Poisson process with rate lambda ~ Gamma(r, alpha); after each order
they drop out with probability p ~ Beta(a, b). Gamma-Gamma: a customer's order values are Gamma(p, nu)
around a customer mean, with nu ~ Gamma(q, gamma); here every order counts (x = frequency, m = average order
value), since the per-customer features carry all orders.

Parameters are optimised on the log scale (all must be positive; Gamma-Gamma's q is 1 + exp(.) so the expected
spend exists), from fixed starting points with L-BFGS-B: the fit is deterministic. The parameters describe the
population, so above FIT_SAMPLE customers they are fitted on a fixed-seed sample (the likelihood's cost grows
with the customers; its estimates hardly move beyond a few thousand); every customer is then scored.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize
from scipy.special import betaln, gammaln, hyp2f1, logsumexp

DAYS_PER_WEEK = 7.0
FIT_SAMPLE = 10_000
RANDOM_SEED = 42


class ModelFitError(ValueError):
    """A baseline could not be fitted; the message says which and why."""


def fit_rows(n: int, size: int = FIT_SAMPLE, seed: int = RANDOM_SEED) -> np.ndarray:
    """Sorted positions of a fixed-seed sample without replacement (all rows when n <= size)."""
    if n <= size:
        return np.arange(n)
    return np.sort(np.random.default_rng(seed).choice(n, size=size, replace=False))


@dataclass(frozen=True)
class BgNbd:
    r: float
    alpha: float
    a: float
    b: float

    def _terms(self, x, t_x, T):
        x, t_x, T = (np.asarray(v, dtype=float) for v in (x, t_x, T))
        repeat = x > 0
        # a / (b + x - 1) * ((alpha + T) / (alpha + t_x)) ** (r + x), for x > 0 only
        with np.errstate(divide="ignore", invalid="ignore"):
            log_ratio = (
                np.log(self.a)
                - np.log(np.where(repeat, self.b + x - 1, 1.0))
                + (self.r + x) * (np.log(self.alpha + T) - np.log(self.alpha + t_x))
            )
        return x, T, repeat, log_ratio

    def probability_alive(self, x, t_x, T) -> np.ndarray:
        _, _, repeat, log_ratio = self._terms(x, t_x, T)
        return np.where(repeat, 1.0 / (1.0 + np.exp(np.minimum(log_ratio, 700.0))), 1.0)

    def probability_purchase(self, x, t_x, T, horizon) -> np.ndarray:
        """P(at least one order in (T, T + horizon]): alive, and the Poisson clock (posterior rate
        Gamma(r + x, alpha + T)) ticks at least once; an alive customer stays alive until their next order."""
        x, T, _, _ = self._terms(x, t_x, T)
        no_order = np.exp((self.r + x) * (np.log(self.alpha + T) - np.log(self.alpha + T + horizon)))
        return self.probability_alive(x, t_x, T) * (1.0 - no_order)

    def expected_orders(self, x, t_x, T, horizon) -> np.ndarray:
        """E[orders in (T, T + horizon] | x, t_x, T] (equation 10 of Fader, Hardie and Lee 2005)."""
        x, T, repeat, log_ratio = self._terms(x, t_x, T)
        z = horizon / (self.alpha + T + horizon)
        power = np.exp((self.r + x) * (np.log(self.alpha + T) - np.log(self.alpha + T + horizon)))
        numerator = 1.0 - power * hyp2f1(self.r + x, self.b + x, self.a + self.b + x - 1, z)
        scale = (self.a + self.b + x - 1) / (self.a - 1)
        denominator = 1.0 + np.where(repeat, np.exp(np.minimum(log_ratio, 700.0)), 0.0)
        return scale * numerator / denominator


def bgnbd_log_likelihood(params, x, t_x, T) -> np.ndarray:
    r, alpha, a, b = params
    repeat = x > 0
    common = gammaln(r + x) - gammaln(r) + r * np.log(alpha) + betaln(a, b + x) - betaln(a, b)
    stays = -(r + x) * np.log(alpha + T)
    with np.errstate(divide="ignore", invalid="ignore"):
        drops = np.where(
            repeat,
            np.log(a) - np.log(np.where(repeat, b + x - 1, 1.0)) - (r + x) * np.log(alpha + t_x),
            -np.inf,
        )
    return common + logsumexp(np.vstack([stays, drops]), axis=0)


def fit_bgnbd(x, t_x, T) -> BgNbd:
    x, t_x, T = (np.asarray(v, dtype=float) for v in (x, t_x, T))
    if len(x) < 10:
        raise ModelFitError(f"bg_nbd: {len(x)} customers, at least 10 are needed to fit the model")
    rows = fit_rows(len(x))
    x, t_x, T = x[rows], t_x[rows], T[rows]

    def objective(log_params):
        return -float(np.mean(bgnbd_log_likelihood(np.exp(log_params), x, t_x, T)))

    result = minimize(
        objective, x0=np.log([1.0, 10.0, 1.0, 1.0]), method="L-BFGS-B", bounds=[(-10.0, 10.0)] * 4
    )
    if not np.isfinite(result.fun):
        raise ModelFitError(f"bg_nbd: maximum likelihood did not converge ({result.message})")
    r, alpha, a, b = np.exp(result.x)
    return BgNbd(float(r), float(alpha), float(a), float(b))


@dataclass(frozen=True)
class GammaGamma:
    p: float
    q: float
    gamma: float

    def expected_order_value(self, frequency, average_value) -> np.ndarray:
        """E[mean order value | x orders averaging m] = (gamma + m x) p / (p x + q - 1)."""
        x = np.asarray(frequency, dtype=float)
        m = np.asarray(average_value, dtype=float)
        return (self.gamma + m * x) * self.p / (self.p * x + self.q - 1.0)


def gamma_gamma_log_likelihood(params, x, m) -> np.ndarray:
    p, q, gamma = params
    return (
        gammaln(p * x + q)
        - gammaln(p * x)
        - gammaln(q)
        + q * np.log(gamma)
        + (p * x - 1) * np.log(m)
        + p * x * np.log(x)
        - (p * x + q) * np.log(gamma + m * x)
    )


def fit_gamma_gamma(frequency, average_value) -> GammaGamma:
    """Fit on the customers with a positive average order value (a free-items-only customer has no spend
    distribution to learn from; they still get the population's expected value)."""
    x = np.asarray(frequency, dtype=float)
    m = np.asarray(average_value, dtype=float)
    keep = (x > 0) & (m > 0)
    x, m = x[keep], m[keep]
    if len(x) < 10:
        raise ModelFitError(f"gamma_gamma: {len(x)} customers with spend, at least 10 are needed")
    rows = fit_rows(len(x))
    x, m = x[rows], m[rows]

    def objective(raw):
        p, q_minus_one, gamma = np.exp(raw)
        return -float(np.mean(gamma_gamma_log_likelihood((p, 1.0 + q_minus_one, gamma), x, m)))

    start = np.log([1.0, 1.0, float(np.median(m))])
    result = minimize(objective, x0=start, method="L-BFGS-B", bounds=[(-10.0, 15.0)] * 3)
    if not np.isfinite(result.fun):
        raise ModelFitError(f"gamma_gamma: maximum likelihood did not converge ({result.message})")
    p, q_minus_one, gamma = np.exp(result.x)
    return GammaGamma(float(p), float(1.0 + q_minus_one), float(gamma))


def bgnbd_inputs(frame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """x, t_x, T in weeks from the cutoff features (frequency, recency_days, tenure_days)."""
    x = frame["frequency"].to_numpy(dtype=float) - 1.0
    T = frame["tenure_days"].to_numpy(dtype=float) / DAYS_PER_WEEK
    t_x = T - frame["recency_days"].to_numpy(dtype=float) / DAYS_PER_WEEK
    return x, t_x, T
