"""The headline figures dbt, the floor and the peer must agree on before any time is worth reporting.

A headline is a plain dict (JSON-ready):
- `total_revenue`: sum of quantity x unit price over sales, rounded to cents;
- `customers_with_sale`: distinct surviving customers with at least one sale (guests excluded);
- `top10_items_by_net_units`: item ids of the 10 first real products by net units (ties by item id);
- `revenue_by_month`: {"YYYY-MM": revenue rounded to cents} over months with a sale (by payment date).
"""

from __future__ import annotations

from pathlib import Path

HEADLINE_KEYS = ("total_revenue", "customers_with_sale", "top10_items_by_net_units", "revenue_by_month")

# Money is compared in cents: the references sum floats (pandas) or decimals (DuckDB), a cent is the unit the
# marts report and anything below half a cent is summation noise, not a different rule.
MONEY_TOLERANCE = 0.005


def cents(value) -> float:
    return round(float(value), 2)


def headline_from_marts(db: Path) -> dict:
    """Read the headline from a built warehouse's public marts (docs/interface.md names)."""
    import duckdb

    with duckdb.connect(str(db), read_only=True) as con:
        months = con.execute(
            """
            select strftime(period_start, '%Y-%m') as month, revenue
            from marts.revenue_by_period
            where period_grain = 'month' and revenue <> 0
            order by period_start
            """
        ).fetchall()
        total = con.execute(
            "select coalesce(sum(revenue), 0) from marts.revenue_by_period where period_grain = 'year'"
        ).fetchone()[0]
        customers = con.execute("select count(*) from marts.customer_rfm").fetchone()[0]
        top10 = con.execute(
            "select item_id from marts.item_rankings where rank_by_units <= 10 order by rank_by_units"
        ).fetchall()
    return {
        "total_revenue": cents(total),
        "customers_with_sale": int(customers),
        "top10_items_by_net_units": [str(row[0]) for row in top10],
        "revenue_by_month": {month: cents(revenue) for month, revenue in months},
    }


def differences(expected: dict, actual: dict, *, expected_name: str, actual_name: str) -> list[str]:
    """Every headline figure on which the two disagree, in words (empty list = they agree)."""
    problems: list[str] = []
    for key in ("total_revenue",):
        if abs(expected[key] - actual[key]) > MONEY_TOLERANCE:
            problems.append(f"{key}: {expected_name} {expected[key]:.2f} != {actual_name} {actual[key]:.2f}")
    for key in ("customers_with_sale", "top10_items_by_net_units"):
        if expected[key] != actual[key]:
            problems.append(f"{key}: {expected_name} {expected[key]} != {actual_name} {actual[key]}")
    exp_months, act_months = expected["revenue_by_month"], actual["revenue_by_month"]
    if sorted(exp_months) != sorted(act_months):
        only_exp = sorted(set(exp_months) - set(act_months))
        only_act = sorted(set(act_months) - set(exp_months))
        problems.append(
            f"revenue_by_month: months only in {expected_name} {only_exp[:6]}, "
            f"only in {actual_name} {only_act[:6]}"
        )
    bad_months = [
        f"{month} {exp_months[month]:.2f} != {act_months[month]:.2f}"
        for month in sorted(set(exp_months) & set(act_months))
        if abs(exp_months[month] - act_months[month]) > MONEY_TOLERANCE
    ]
    if bad_months:
        problems.append(
            f"revenue_by_month ({expected_name} vs {actual_name}), {len(bad_months)} months differ: "
            + "; ".join(bad_months[:6])
        )
    return problems


def check_agreement(headlines: dict[str, dict]) -> list[str]:
    """Compare every headline with the first one; returns all differences (empty = all agree)."""
    names = list(headlines)
    first = names[0]
    problems: list[str] = []
    for other in names[1:]:
        problems += differences(headlines[first], headlines[other], expected_name=first, actual_name=other)
    return problems
