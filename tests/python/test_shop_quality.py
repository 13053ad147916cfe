"""Data quality on the generated shop: every planted anomaly class is detected exactly, nothing is lost.

Expected values come from outside the warehouse: the generator's manifest (what it planted) and the raw CSV
files read again with pandas.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest

TABLES = ("users", "items", "orders", "events")


def _manifest(shop_build) -> dict:
    path = shop_build.truth / "manifest.json"
    if not path.exists():
        pytest.skip(f"no generator manifest at {path}")
    return json.loads(path.read_text())


def _raw(shop_build, table: str) -> pd.DataFrame:
    # keep_default_na=False: the raw text exactly as written (`None`, empty strings) - what staging reads
    return pd.read_csv(shop_build.raw / f"{table}.csv", dtype=str, keep_default_na=False)


def _detected(shop_build) -> dict[str, int]:
    """Detected records per `<table>.<reason_code>`, in the manifest's units.

    A quarantined event has one issue row per raw parameter row (`<event_id>/<parameter>#<n>`); the manifest
    counts events, so those collapse to their event id. Everything else is one record per record_key.
    """
    rows = shop_build.query(
        """
        select
            source_table || '.' || reason_code as class,
            count(distinct case
                when source_table = 'events' and action = 'quarantined'
                    and reason_code <> 'duplicate_parameter' then split_part(record_key, '/', 1)
                else record_key
            end) as detected
        from marts.data_quality_issues
        group by 1
        """
    )
    return dict(rows)


def test_every_planted_anomaly_class_is_detected_exactly(shop_build):
    planted = _manifest(shop_build)["anomalies"]
    detected = _detected(shop_build)
    mismatches = {
        key: {"planted": planted[key], "detected": detected.get(key, 0)}
        for key in planted
        if detected.get(key, 0) != planted[key]
    }
    assert not mismatches, f"detected counts differ from the generator's manifest: {mismatches}"


def test_no_anomaly_is_detected_that_was_not_planted(shop_build):
    planted = _manifest(shop_build)["anomalies"]
    extra = {key: n for key, n in _detected(shop_build).items() if key not in planted and n > 0}
    assert not extra, f"reason codes found on data where the generator planted none: {extra}"


@pytest.mark.parametrize("table", TABLES)
def test_raw_rows_equal_reached_plus_quarantined(shop_build, table):
    raw = _raw(shop_build, table)
    total = shop_build.query(
        "select raw_rows, clean_rows, quarantined_rows from marts.data_quality_summary "
        "where source_table = ? and reason_code = '_total'",
        [table],
    )
    assert len(total) == 1, f"no _total row for {table} in marts.data_quality_summary"
    raw_rows, clean_rows, quarantined_rows = total[0]
    assert raw_rows == len(raw), f"{table}: summary says {raw_rows} raw rows, the file has {len(raw)}"
    assert raw_rows == clean_rows + quarantined_rows
    # every quarantined row has its reason, duplicates included
    (reported,) = shop_build.query(
        "select count(*) from marts.data_quality_issues where source_table = ? and action = 'quarantined'",
        [table],
    )[0]
    assert reported == quarantined_rows


def test_duplicates_are_quarantined_copy_by_copy(shop_build):
    """Extra copies of identical raw rows, counted by pandas, are exactly the duplicate quarantine rows."""
    orders = _raw(shop_build, "orders")
    events = _raw(shop_build, "events")
    expected = {
        "orders.duplicate_row": int(orders.duplicated().sum()),
        "events.duplicate_parameter": int(events.duplicated().sum()),
    }
    detected = _detected(shop_build)
    assert {key: detected.get(key, 0) for key in expected} == expected


def test_clean_rows_reach_the_clean_models(shop_build):
    """clean_rows is what really is in the clean models (orders: lines; events: raw rows of clean events)."""
    clean = dict(
        shop_build.query(
            "select source_table, clean_rows from marts.data_quality_summary where reason_code = '_total'"
        )
    )
    (lines,) = shop_build.query("select count(*) from intermediate.int_order_lines")[0]
    assert clean["orders"] == lines

    events = _raw(shop_build, "events").drop_duplicates()
    clean_ids = {row[0] for row in shop_build.query("select event_id from intermediate.int_shop__events")}
    event_ids = events["event_id"].astype(float).astype("int64")
    assert clean["events"] == int(event_ids.isin(clean_ids).sum())


def test_merged_accounts_orders_belong_to_the_survivor(shop_build):
    """Lines of a merged account carry the root of its chain, found here by walking the raw users file."""
    users = _raw(shop_build, "users")
    parent = {
        int(uid): int(float(p))
        for uid, p in zip(users["id"], users["parent_user_id"], strict=True)
        if p != "None"
    }

    def root(uid: int) -> int | None:
        seen = set()
        while uid in parent:
            if uid in seen:
                return None
            seen.add(uid)
            uid = parent[uid]
        return uid

    lines = shop_build.df(
        "select source_customer_id, customer_id from intermediate.int_order_lines "
        "where source_customer_id is not null"
    )
    merged = lines[lines["source_customer_id"].isin(list(parent))]
    assert len(merged) > 0, "the generated data should have lines of merged accounts"
    expected = merged["source_customer_id"].map(root)
    assert merged["customer_id"].tolist() == expected.tolist()
