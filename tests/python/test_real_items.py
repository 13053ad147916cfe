"""Stage the real case-study item catalog (../shared/data/case_study/items.csv) through the shop models.

Expected values are measured with pandas on the same file (and match the facts in ../shared/data/README.md).
"""

from __future__ import annotations

import shutil
from decimal import ROUND_HALF_UP, Decimal

import duckdb
import pandas as pd
import pytest

from conftest import REAL_ITEMS_CSV, dbt

TINY = {
    "users.csv": (
        "created_at,deleted_at,email_address,first_name,id,last_name,merged_at,parent_user_id\n"
        "2014-01-01 10:00:00,None,a@example.com,Ann,1,Lee,None,None\n"
    ),
    "orders.csv": (
        "invoice_id,line_item_id,user_id,item_id,item_name,item_category,price,created_at,paid_at\n"
        "100.0,1000.0,1.0,2512.0,fuzzy contraption carrying_case,contraption,150.0,"
        "2014-03-01 10:00:00,2014-03-01 10:05:00\n"
    ),
    "events.csv": (
        "event_id,event_time,user_id,event_name,platform,parameter_name,parameter_value\n"
        "1,2014-03-01 09:00:00,1.0,view_item,web,item_id,2512.0\n"
    ),
}


@pytest.fixture(scope="module")
def real_items(tmp_path_factory):
    if not REAL_ITEMS_CSV.exists():
        pytest.skip(f"real item catalog not present at {REAL_ITEMS_CSV}")
    base = tmp_path_factory.mktemp("real_items")
    raw = base / "raw"
    raw.mkdir()
    shutil.copy(REAL_ITEMS_CSV, raw / "items.csv")
    for name, text in TINY.items():
        (raw / name).write_text(text)
    db = base / "warehouse.duckdb"
    dbt(
        ["run", "--select", "+int_shop__items"],
        db=db,
        target=base / "target",
        dbt_vars={"source_system": "shop", "shop_raw_path": str(raw)},
    )
    with duckdb.connect(str(db), read_only=True) as con:
        items = con.execute("select * from intermediate.int_shop__items").df()
        staged = con.execute("select * from staging.stg_shop__items where not is_header_row").df()
    expected = pd.read_csv(REAL_ITEMS_CSV, dtype={"id": float})
    return items, staged, expected


def test_every_catalog_item_is_kept(real_items):
    items, staged, expected = real_items
    assert len(expected) == 2198  # the catalog as documented
    assert len(staged) == len(expected)
    assert len(items) == len(expected)
    assert not items["is_inferred"].any()
    assert set(items["item_id"]) == {str(int(i)) for i in expected["id"]}


def test_free_how_to_manuals_are_recognised(real_items):
    items, _, expected = real_items
    free = expected[expected["price"] == 0]
    assert len(free) == 156
    assert (free["modifier"] == "how-to-manual").all()
    addons = items[items["item_kind"] == "free_addon"]
    assert set(addons["item_id"]) == {str(int(i)) for i in free["id"]}
    assert (addons["price"] == 0).all()
    assert not addons["is_product"].any()


def test_duplicate_names_stay_distinct_items(real_items):
    items, _, expected = real_items
    assert expected["name"].nunique() == 1011
    assert items["item_name"].nunique() == expected["name"].nunique()
    assert items["item_id"].is_unique
    assert (items["item_name"] == "apparatus").sum() == (expected["name"] == "apparatus").sum()


def test_prices_are_rounded_to_cents(real_items):
    """Prices are cents; the catalog's few sub-cent prices (15.625) round half away from zero."""
    items, _, _ = real_items
    written = pd.read_csv(REAL_ITEMS_CSV, dtype=str, keep_default_na=False)
    expected = {
        str(int(float(i))): Decimal(p).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        for i, p in zip(written["id"], written["price"], strict=True)
    }
    got = {
        i: Decimal(str(p)).quantize(Decimal("0.01"))
        for i, p in zip(items["item_id"], items["price"], strict=True)
    }
    assert got == expected
    assert any(Decimal(p) != Decimal(p).quantize(Decimal("0.01")) for p in written["price"]), (
        "the real catalog has sub-cent prices: this test should see some"
    )
