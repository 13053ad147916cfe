"""The one-row summary of the Insiders program and its out-of-time proof.

Membership is decided in SQL (`insiders`, rules from the insiders_rules seed). The proof: the members picked
at the evaluate cutoff (as_of_date - H) with the model's out-of-time scores, against everyone else:
which share of the revenue that actually followed in the next H days did they produce? Its interval comes
from a bootstrap over the customers (seeded, resampled as in `evaluation`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..frames import aggregate, empty, from_pandas, is_empty, join, rows, select, to_pandas
from .evaluation import BOOTSTRAP_ROUNDS, INTERVAL, RANDOM_SEED, resample_counts

SUMMARY_TYPES = {
    "customers": "bigint",
    "members": "bigint",
    "member_share": "double",
    "last_year_revenue_share": "double",
    "expected_revenue": "double",
    "expected_revenue_share": "double",
    "eval_customers": "bigint",
    "eval_members": "bigint",
    "eval_member_share": "double",
    "oot_revenue_share": "double",
    "oot_revenue_share_low": "double",
    "oot_revenue_share_high": "double",
    "oot_revenue_lift": "double",
    "bootstrap_rounds": "integer",
}

#: Column types of marts.insiders_summary.
INSIDERS_SUMMARY_TYPES = {
    "as_of_date": "date",
    "eval_cutoff": "date",
    "horizon_days": "integer",
    **SUMMARY_TYPES,
}


def _share(values: np.ndarray, mask: np.ndarray) -> float:
    total = values.sum()
    return float(values[mask].sum() / total) if total > 0 else float("nan")


def share_interval(
    values, mask, rounds: int = BOOTSTRAP_ROUNDS, seed: int = RANDOM_SEED, level: float = INTERVAL
) -> tuple[float, float]:
    """Percentile bootstrap interval of the members' share of `values` (customers drawn with replacement)."""
    values = np.asarray(values, dtype=float)
    mask = np.asarray(mask, dtype=bool)
    n = len(values)
    rng = np.random.default_rng(seed)
    shares = []
    for _ in range(rounds):
        weights = resample_counts(rng, n)
        weighted = weights * values
        total = weighted.sum()
        shares.append(weighted[mask].sum() / total if total > 0 else np.nan)
    tail = (1.0 - level) / 2.0
    low, high = np.nanquantile(shares, [tail, 1.0 - tail])
    return float(low), float(high)


def summarise(now: pd.DataFrame, at_eval: pd.DataFrame, rounds: int = BOOTSTRAP_ROUNDS) -> dict:
    """now: customer_id, is_insider, expected_revenue, last_year_revenue (one row per customer today);
    at_eval: customer_id, was_insider, actual_revenue (the customers scored at the evaluate cutoff)."""
    now = now.sort_values("customer_id", kind="mergesort")
    at_eval = at_eval.sort_values("customer_id", kind="mergesort")
    members = now["is_insider"].to_numpy(dtype=bool)
    picked = at_eval["was_insider"].to_numpy(dtype=bool)
    actual = at_eval["actual_revenue"].to_numpy(dtype=float)
    oot_share = _share(actual, picked)
    low, high = share_interval(actual, picked, rounds)
    eval_member_share = float(picked.mean()) if len(picked) else float("nan")
    return {
        "customers": len(now),
        "members": int(members.sum()),
        "member_share": float(members.mean()),
        "last_year_revenue_share": _share(now["last_year_revenue"].to_numpy(dtype=float), members),
        "expected_revenue": float(now.loc[members, "expected_revenue"].sum()),
        "expected_revenue_share": _share(now["expected_revenue"].to_numpy(dtype=float), members),
        "eval_customers": len(at_eval),
        "eval_members": int(picked.sum()),
        "eval_member_share": eval_member_share,
        "oot_revenue_share": oot_share,
        "oot_revenue_share_low": low,
        "oot_revenue_share_high": high,
        "oot_revenue_lift": oot_share / eval_member_share if eval_member_share > 0 else float("nan"),
        "bootstrap_rounds": rounds,
    }


def insiders_summary(session, insiders_relation, scores_relation, order_lines_relation, cutoffs_relation):
    """Body of the dbt model insiders_summary (no row when there is no customer, so no as_of_date)."""
    if is_empty(insiders_relation):
        return empty(session, INSIDERS_SUMMARY_TYPES)
    ((as_of, eval_cutoff, horizon),) = rows(
        cutoffs_relation, ["as_of_date", "cutoff_date", "horizon_days"], where="cutoff_role = 'evaluate'"
    )
    year_ago = (as_of - pd.Timedelta(days=365)).isoformat()
    # The last year's revenue per customer is summed in the engine; pandas gets one row per customer.
    last_year = aggregate(
        order_lines_relation,
        ["customer_id"],
        ["cast(sum(line_revenue) as double) as last_year_revenue"],
        where=f"is_sale and customer_id is not null and cast(paid_at as date) >= date '{year_ago}' "
        f"and cast(paid_at as date) < date '{as_of.isoformat()}'",
    )
    now = to_pandas(
        join(
            insiders_relation,
            last_year,
            "l.customer_id = r.customer_id",
            [
                "cast(l.customer_id as bigint) as customer_id",
                "l.is_insider as is_insider",
                "l.expected_revenue as expected_revenue",
                "coalesce(r.last_year_revenue, 0) as last_year_revenue",
            ],
            how="left",
        )
    )
    at_eval = to_pandas(
        join(
            select(scores_relation, where="model = 'model'"),
            insiders_relation,
            "l.customer_id = r.customer_id",
            [
                "cast(l.customer_id as bigint) as customer_id",
                "coalesce(r.was_insider_at_eval, false) as was_insider",
                "cast(l.actual_revenue as double) as actual_revenue",
            ],
            how="left",
        )
    )
    row = pd.DataFrame(
        [
            {
                "as_of_date": as_of,
                "eval_cutoff": eval_cutoff,
                "horizon_days": horizon,
                **summarise(now, at_eval),
            }
        ]
    )
    return from_pandas(session, row, INSIDERS_SUMMARY_TYPES)
