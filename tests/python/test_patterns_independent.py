"""Purchasing-pattern, funnel and experiment marts, recomputed independently in pandas.

The reference figures are computed here from the shared intermediate shapes (`int_order_lines`,
`int_customers`) and the shop's clean events (`int_shop__events`) of the built warehouse, following
CONTRACT.md's definitions (a sale is a line of type `sale`, revenue is recognised at payment, guests are left
out of customer measures); they never read the marts under test. The two-proportion z-test is recomputed
with scipy's exact normal distribution, against the SQL's erfc approximation.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest
from scipy.stats import norm

from conftest import Build

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def sales(shop_build: Build) -> pd.DataFrame:
    """Every sale line of the build."""
    frame = shop_build.df(
        "select order_key, customer_id, line_revenue, quantity, paid_at "
        "from intermediate.int_order_lines where line_type = 'sale'"
    )
    assert not frame.empty, "the shop build has no sale lines: nothing to compare"
    frame["line_revenue"] = frame["line_revenue"].astype(float)
    frame["paid_at"] = pd.to_datetime(frame["paid_at"])
    return frame


@pytest.fixture(scope="module")
def orders(sales: pd.DataFrame) -> pd.DataFrame:
    """One row per order with a sale: timed by its earliest paid line."""
    return (
        sales.groupby("order_key", as_index=False)
        .agg(
            customer_id=("customer_id", "min"),
            paid_at=("paid_at", "min"),
            revenue=("line_revenue", "sum"),
            units=("quantity", "sum"),
        )
        .sort_values("order_key")
    )


@pytest.fixture(scope="module")
def customer_orders(sales: pd.DataFrame) -> pd.DataFrame:
    """One row per (customer, order with a sale); guests left out."""
    known = sales[sales["customer_id"].notna()]
    return known.groupby(["customer_id", "order_key"], as_index=False).agg(paid_at=("paid_at", "min"))


def pandas_median(values: pd.Series) -> float:
    return float(values.median())


def test_repeat_purchase_rate(shop_build: Build, customer_orders: pd.DataFrame) -> None:
    per_customer = customer_orders.groupby("customer_id")["order_key"].nunique()
    expected_customers = len(per_customer)
    expected_repeat = int((per_customer >= 2).sum())

    row = shop_build.df("select * from marts.customer_repeat_purchase")
    assert len(row) == 1
    assert int(row.loc[0, "customers"]) == expected_customers
    assert int(row.loc[0, "repeat_customers"]) == expected_repeat
    assert int(row.loc[0, "orders"]) == int(per_customer.sum())
    assert row.loc[0, "repeat_purchase_rate"] == pytest.approx(expected_repeat / expected_customers)


def test_cohort_month_zero_sizes_and_month_one(shop_build: Build, customer_orders: pd.DataFrame) -> None:
    frame = customer_orders.copy()
    frame["month"] = frame["paid_at"].dt.to_period("M")
    cohort = frame.groupby("customer_id")["month"].min().rename("cohort")
    frame = frame.join(cohort, on="customer_id")
    expected_sizes = cohort.value_counts().sort_index()
    frame["n"] = (frame["month"] - frame["cohort"]).map(lambda offset: offset.n)
    month_one = frame[frame["n"] == 1].groupby("cohort")["customer_id"].nunique()

    mart = shop_build.df(
        "select cohort_month, month_number, cohort_customers, active_customers, retention_rate "
        "from marts.cohort_retention where month_number in (0, 1)"
    )
    mart["cohort"] = pd.to_datetime(mart["cohort_month"]).dt.to_period("M")
    zero = mart[mart["month_number"] == 0].set_index("cohort")["cohort_customers"].sort_index()
    assert zero.index.tolist() == expected_sizes.index.tolist()
    assert zero.astype(int).tolist() == expected_sizes.astype(int).tolist()
    assert (mart.loc[mart["month_number"] == 0, "retention_rate"] == 1.0).all()

    one = mart[mart["month_number"] == 1].set_index("cohort")["active_customers"]
    expected_one = month_one.reindex(one.index, fill_value=0)
    assert one.astype(int).tolist() == expected_one.astype(int).tolist()


def test_hour_weekday_grid(shop_build: Build, orders: pd.DataFrame) -> None:
    frame = orders.assign(
        day_of_week=orders["paid_at"].dt.dayofweek + 1,  # pandas Monday = 0
        hour_of_day=orders["paid_at"].dt.hour,
    )
    expected = frame.groupby(["day_of_week", "hour_of_day"]).agg(
        orders=("order_key", "count"), revenue=("revenue", "sum")
    )
    grid = shop_build.df("select * from marts.sales_by_hour_weekday").set_index(
        ["day_of_week", "hour_of_day"]
    )
    assert len(grid) == 7 * 24
    joined = grid.join(expected, rsuffix="_expected").fillna({"orders_expected": 0, "revenue_expected": 0.0})
    assert joined["orders"].astype(int).tolist() == joined["orders_expected"].astype(int).tolist()
    assert joined["revenue"].astype(float).round(3).tolist() == pytest.approx(
        joined["revenue_expected"].round(3).tolist(), abs=1e-6
    )
    monday = grid.xs(1, level="day_of_week")["day_name"].unique().tolist()
    assert monday == ["Monday"]


def test_median_interval_and_order_value(
    shop_build: Build, customer_orders: pd.DataFrame, orders: pd.DataFrame
) -> None:
    frame = customer_orders.sort_values(["customer_id", "paid_at", "order_key"])
    day = frame["paid_at"].dt.normalize()
    gaps = (day - day.groupby(frame["customer_id"]).shift()).dt.days.dropna()
    intervals = shop_build.df("select * from marts.purchase_intervals")
    assert int(intervals["intervals"].sum()) == len(gaps)
    assert intervals["median_days"].iloc[0] == pytest.approx(pandas_median(gaps))

    sizes = shop_build.df(
        "select measure, max(measure_median) as median from marts.order_size_distribution group by measure"
    ).set_index("measure")["median"]
    assert sizes["order_value"] == pytest.approx(pandas_median(orders["revenue"]), abs=1e-6)
    assert sizes["units_per_order"] == pytest.approx(pandas_median(orders["units"]))


def test_experiment_conversion_per_arm_and_z_test(shop_build: Build, sales: pd.DataFrame) -> None:
    events = shop_build.df(
        "select event_id, event_at, customer_id, test_id, test_assignment "
        "from intermediate.int_shop__events where event_name = 'test_assignment'"
    )
    events = events.dropna(subset=["customer_id", "test_id", "test_assignment"])
    events = events[events["test_assignment"].isin([0, 1])]
    assert not events.empty, "the shop build has no test assignments: nothing to compare"
    events["event_at"] = pd.to_datetime(events["event_at"])
    first = events.sort_values(["test_id", "customer_id", "event_at", "event_id"]).drop_duplicates(
        ["test_id", "customer_id"], keep="first"
    )
    known_sales = sales[sales["customer_id"].notna()][["customer_id", "paid_at"]]
    merged = first.merge(known_sales, on="customer_id", how="left")
    merged["after"] = merged["paid_at"] >= merged["event_at"]
    bought = merged.groupby(["test_id", "customer_id"])["after"].any().rename("bought")
    first = first.join(bought, on=["test_id", "customer_id"])
    expected = first.groupby(["test_id", "test_assignment"]).agg(
        users=("customer_id", "count"), buyers=("bought", "sum")
    )

    arms = shop_build.df("select * from marts.experiment_arms").set_index(["test_id", "test_assignment"])
    assert sorted(arms.index.tolist()) == sorted(expected.index.tolist())
    for key, row in expected.iterrows():
        assert int(arms.loc[key, "users"]) == int(row["users"]), key
        assert int(arms.loc[key, "buyers"]) == int(row["buyers"]), key
        assert arms.loc[key, "conversion_rate"] == pytest.approx(row["buyers"] / row["users"])

    lift = shop_build.df("select * from marts.experiment_lift").set_index("test_id")
    for test_id in expected.index.get_level_values("test_id").unique():
        if (test_id, 0) not in expected.index or (test_id, 1) not in expected.index:
            continue
        n0, b0 = expected.loc[(test_id, 0), ["users", "buyers"]]
        n1, b1 = expected.loc[(test_id, 1), ["users", "buyers"]]
        pooled = (b0 + b1) / (n0 + n1)
        se = math.sqrt(pooled * (1 - pooled) * (1 / n0 + 1 / n1))
        if se == 0:
            continue
        z = (b1 / n1 - b0 / n0) / se
        assert lift.loc[test_id, "z_score"] == pytest.approx(z, abs=1e-4)
        # the SQL's erfc approximation is good to 1.5e-7, then rounded to 6 decimals
        assert lift.loc[test_id, "p_value"] == pytest.approx(2 * norm.sf(abs(z)), abs=2e-6)
