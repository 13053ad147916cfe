"""The benchmark's two references (bench/floor.py: plain DuckDB SQL; bench/peer_pandas.py: pandas) compute the
same headline figures as each other and as the marts, so `make bench` compares equal work. No timings here."""

from __future__ import annotations

import re
import shutil
import sys

import pandas as pd
import pytest
from bench import floor, headline, peer_pandas, run

from conftest import REAL_ONLINE_RETAIL, generate_shop


@pytest.fixture(scope="module")
def tiny_shop(tmp_path_factory):
    base = tmp_path_factory.mktemp("bench_tiny")
    generate_shop(base / "raw", base / "truth", scale=0.02)
    return base / "raw"


def _assert_agree(headlines: dict) -> None:
    problems = headline.check_agreement(headlines)
    assert not problems, "\n".join(problems)


def test_floor_and_pandas_agree_on_a_tiny_shop(tiny_shop):
    by_floor = floor.run("shop", tiny_shop)
    by_pandas = peer_pandas.run("shop", tiny_shop)
    # Not vacuous: there is revenue, there are buyers and a full top 10.
    assert by_floor["total_revenue"] > 0
    assert by_floor["customers_with_sale"] > 0
    assert len(by_floor["top10_items_by_net_units"]) == 10
    assert len(by_floor["revenue_by_month"]) > 1
    _assert_agree({"floor": by_floor, "pandas": by_pandas})
    assert by_floor["clean_lines"] == by_pandas["clean_lines"]


def test_references_drop_quarantined_lines(tiny_shop, tmp_path):
    """A null price, a future date and an exact duplicate line change nothing; a new paid line does."""
    raw = tmp_path / "raw"
    raw.mkdir()
    for name in ("users.csv", "items.csv"):
        (raw / name).write_bytes((tiny_shop / name).read_bytes())
    orders = (tiny_shop / "orders.csv").read_text().splitlines()
    # A plain paid line (well-formed timestamps, a price) to copy the ids and dates from.
    plain = re.compile(
        r"^[^,]*,[^,]*,[^,]*,[^,]*,[^,]*,[^,]*,\d+(\.\d+)?,(201[3-7]-\d\d-\d\d \d\d:\d\d:\d\d,?){2}$"
    )
    first_line = next(line for line in orders[1:] if plain.match(line))
    invoice, _, user, item, name, category, _price, created, paid = first_line.split(",")
    bad = [
        f"{invoice},99000001.0,{user},{item},{name},{category},None,{created},{paid}",
        f"{invoice},99000002.0,{user},{item},{name},{category},10.0,2019-01-01 00:00:00,2019-01-01 00:00:00",
        first_line,
    ]
    (raw / "orders.csv").write_text("\n".join([*orders, *bad]) + "\n")
    base = floor.run("shop", tiny_shop)
    for module in (floor, peer_pandas):
        assert module.run("shop", raw)["total_revenue"] == base["total_revenue"], module.__name__

    paid_line = f"{invoice},99000003.0,{user},{item},{name},{category},12.350000000000001,{created},{paid}"
    (raw / "orders.csv").write_text("\n".join([*orders, paid_line]) + "\n")
    for module in (floor, peer_pandas):
        result = module.run("shop", raw)
        assert result["total_revenue"] == pytest.approx(base["total_revenue"] + 12.35, abs=0.005), (
            module.__name__
        )


def test_disagreement_is_reported():
    good = {
        "total_revenue": 100.0,
        "customers_with_sale": 3,
        "top10_items_by_net_units": ["1", "2"],
        "revenue_by_month": {"2017-01": 60.0, "2017-02": 40.0},
    }
    bad = {**good, "total_revenue": 100.02, "revenue_by_month": {"2017-01": 60.0, "2017-03": 40.0}}
    problems = headline.check_agreement({"dbt": good, "floor": good, "pandas": bad})
    assert any(p.startswith("total_revenue") for p in problems)
    assert any("months only in" in p for p in problems)
    assert headline.check_agreement({"dbt": good, "pandas": dict(good)}) == []


def test_references_agree_with_the_marts(shop_build):
    _assert_agree(
        {
            "marts": headline.headline_from_marts(shop_build.db),
            "floor": floor.run("shop", shop_build.raw),
            "pandas": peer_pandas.run("shop", shop_build.raw),
        }
    )


@pytest.mark.slow
def test_references_agree_with_the_marts_on_online_retail(online_retail_build):
    _assert_agree(
        {
            "marts": headline.headline_from_marts(online_retail_build.db),
            "floor": floor.run("online_retail", REAL_ONLINE_RETAIL),
            "pandas": peer_pandas.run("online_retail", REAL_ONLINE_RETAIL),
        }
    )


def test_memory_measurement_sees_a_child_allocation(tmp_path):
    """The peak covers memory the measured process really touched (80 MB here), not just the interpreter."""
    code = "b = bytearray(80 * 1024 * 1024); b[::4096] = b'x' * len(b[::4096])"
    stats = run.measure([sys.executable, "-c", code], env=run.base_env(), log=tmp_path / "log.txt")
    assert stats["exit_code"] == 0
    assert stats["peak_mb"] >= 80
    assert stats["cpu_s"] >= 0


def test_pandas_roots_follow_merge_chains_and_leave_cycles_without_root():
    """A -> B -> C resolves A and B to C; a cycle has no root. (A masked assignment once left every merged
    account at <NA> on the scale-10 shop, so the peer counted fewer customers than the marts.)"""
    users = pd.DataFrame(
        {
            "user_id": pd.array([1, 2, 3, 7, 8, 9], dtype="Int64"),
            "parent_user_id": pd.array([2, 3, None, 8, 7, None], dtype="Int64"),
            "is_quarantined": [False] * 6,
        }
    )
    roots = peer_pandas._roots(users)
    assert [roots.get(user) for user in (1, 2, 3, 9)] == [3, 3, 3, 9]
    assert pd.isna(roots.get(7)) and pd.isna(roots.get(8))


def test_an_unknown_item_is_free_only_when_every_line_of_it_is_priced_0(tiny_shop, tmp_path):
    """Two items missing from items.csv: one sold at 0 and at 5 (a product), one only at 0 (a free add-on).
    Both references count the first as a product sale, not the second, as int_shop__items does."""
    raw = tmp_path / "raw"
    shutil.copytree(tiny_shop, raw)
    orders = next(raw.glob("**/orders*.csv"))
    header = orders.read_text().splitlines()[0].split(",")
    template = dict(zip(header, orders.read_text().splitlines()[1].split(","), strict=True))
    lines = []
    # each line by a new user id (a customer of its own): only the buyer of the product becomes a customer
    sales = [(990001, 99991, "0.0", 8888801), (990002, 99991, "5.0", 8888801)]
    sales.append((990003, 99992, "0.0", 8888802))
    for line_id, item_id, price, user_id in sales:
        row = {
            **template,
            "line_item_id": f"{line_id}.0",
            "item_id": f"{item_id}.0",
            "price": price,
            "user_id": f"{user_id}.0",
        }
        lines.append(",".join(row[column] for column in header))
    with orders.open("a") as handle:
        handle.write("\n".join(lines) + "\n")
    before = floor.run("shop", tiny_shop)
    for result in (floor.run("shop", raw), peer_pandas.run("shop", raw)):
        assert round(result["total_revenue"] - before["total_revenue"], 2) == 5.0
        assert result["customers_with_sale"] == before["customers_with_sale"] + 1
