"""The headline figures of the core marts, recomputed INDEPENDENTLY in pandas from the raw shop files.

Nothing here reads a dbt model to get an expected value: the documented rules (docs/architecture.md,
CONTRACT.md, the marts' docs blocks) are applied again by hand to `shop_build.raw`:
- exact duplicate raw lines count once;
- a line with a null or negative price, or an unparseable or future-dated timestamp is dropped (quarantined);
- odd timestamps `2014-12-20 07-07-45` are repaired, prices rounded to cents (float noise);
- a sale is a paid line; revenue = sum of prices over sales, recognised at paid_at;
- a line's customer is the root of its user's merge chain (an id with no users row is its own customer);
- a product is an item whose catalog price is not 0 (how-to-manuals are free add-ons); an item missing
  from the catalog is judged by the price on its first line;
- customer counts, new customers and RFM count product sales only (a free add-on alone is not a purchase);
- RFM: as_of_date = day after the last sale's payment date; recency = days from the last sale's date,
  frequency = distinct invoices with a sale, monetary = revenue; scores 1 + floor(5 x percent_rank)
  capped at 5 with ties sharing the lowest rank (recency ranked longest ago first); segments from the
  documented R x FM grid.
Then the marts must say the same.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pandas as pd
import pytest

# dbt_project.yml var shop_extracted_at (the fixture builds with the default)
EXTRACTED_AT = datetime(2018, 7, 1)
TIMESTAMP = re.compile(r"^(\d{4}-\d{2}-\d{2}) (\d{2}):(\d{2}):(\d{2})$")
ODD_TIMESTAMP = re.compile(r"^(\d{4}-\d{2}-\d{2}) (\d{2})-(\d{2})-(\d{2})$")
CENT = Decimal("0.01")

# The R x FM grid of the rfm_segment_map docs block (rows r_score 5..1, columns fm_score 1..5).
SEGMENT_GRID = {
    5: ["New", "Potential loyalist", "Potential loyalist", "Champions", "Champions"],
    4: ["Promising", "Potential loyalist", "Potential loyalist", "Loyal", "Champions"],
    3: ["About to sleep", "About to sleep", "Need attention", "Loyal", "Loyal"],
    2: ["Hibernating", "Hibernating", "At risk", "At risk", "Cannot lose"],
    1: ["Lost", "Lost", "At risk", "At risk", "Cannot lose"],
}


def _null(value: str) -> str | None:
    value = value.strip()
    return None if value in ("", "None") else value


def _timestamp(value: str) -> tuple[datetime | None, bool]:
    """(parsed timestamp or None, unparseable?) for one raw timestamp text."""
    text = _null(value)
    if text is None:
        return None, False
    odd = ODD_TIMESTAMP.match(text)
    if odd:
        text = f"{odd.group(1)} {odd.group(2)}:{odd.group(3)}:{odd.group(4)}"
    if not TIMESTAMP.match(text):
        return None, True
    try:
        return datetime.strptime(text, "%Y-%m-%d %H:%M:%S"), False
    except ValueError:
        return None, True


def _id(value: str) -> int | None:
    text = _null(value)
    return None if text is None else int(Decimal(text))


def _read(raw, name: str) -> pd.DataFrame:
    path = raw / name
    assert path.exists(), f"{path}: raw file missing"
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def _clean_lines(raw) -> pd.DataFrame:
    """orders.csv after the documented rules, one row per kept line."""
    orders = _read(raw, "orders.csv").drop_duplicates()
    rows = []
    for line in orders.itertuples(index=False):
        created_at, created_bad = _timestamp(line.created_at)
        paid_at, paid_bad = _timestamp(line.paid_at)
        if created_bad or paid_bad or created_at is None:
            continue
        if created_at > EXTRACTED_AT or (paid_at is not None and paid_at > EXTRACTED_AT):
            continue
        price_text = _null(line.price)
        if price_text is None:
            continue
        price = Decimal(price_text).quantize(CENT, rounding=ROUND_HALF_UP)
        if price < 0:
            continue
        rows.append(
            {
                "line_item_id": _id(line.line_item_id),
                "invoice_id": _id(line.invoice_id),
                "user_id": _id(line.user_id),
                "item_id": str(_id(line.item_id)),
                "price": price,
                "created_at": created_at,
                "paid_at": paid_at,
            }
        )
    lines = pd.DataFrame(rows)
    assert lines["line_item_id"].is_unique, "orders.csv: a line_item_id is written twice, differently"
    return lines


def _roots(raw) -> dict[int, int | None]:
    """Every users.csv id -> the root of its merge chain (None on a cycle)."""
    users = _read(raw, "users.csv")
    parent: dict[int, int | None] = {}
    for user in users.itertuples(index=False):
        user_id = _id(user.id)
        if user_id is not None and user_id not in parent:
            parent[user_id] = _id(user.parent_user_id)
    roots: dict[int, int | None] = {}
    for user_id in parent:
        seen, current = {user_id}, user_id
        while parent.get(current) is not None and parent[current] in parent:
            current = parent[current]
            if current in seen:
                current = None
                break
            seen.add(current)
        roots[user_id] = current
    return roots


def _products(raw, lines: pd.DataFrame) -> set[str]:
    items = _read(raw, "items.csv")
    catalog = {str(_id(item.id)): Decimal(item.price) for item in items.itertuples(index=False)}
    # an item missing from items.csv is free only when every line of it is priced 0
    max_line_price = lines.groupby("item_id")["price"].max().to_dict()
    products = {item_id for item_id, price in catalog.items() if price != 0}
    products |= {item for item, price in max_line_price.items() if item not in catalog and price != 0}
    return products


def _score(rank: int, count: int) -> int:
    """1 + floor(5 x percent_rank), capped at 5, in exact arithmetic."""
    if count <= 1:
        return 1
    return min(5, 1 + int(Fraction(5 * (rank - 1), count - 1)))


@pytest.fixture(scope="module")
def expected(shop_build):
    lines = _clean_lines(shop_build.raw)
    roots = _roots(shop_build.raw)
    lines["customer_id"] = [
        None if user_id is None else roots.get(user_id, user_id) for user_id in lines["user_id"]
    ]
    sales = lines[lines["paid_at"].notna()].copy()
    return {"lines": lines, "sales": sales, "roots": roots, "products": _products(shop_build.raw, lines)}


def test_total_revenue_equals_raw_sales(shop_build, expected):
    want = sum(expected["sales"]["price"], Decimal(0))
    (got_lines,) = shop_build.query("select sum(line_revenue) from marts.fct_order_lines where is_sale")[0]
    (got_orders,) = shop_build.query("select sum(order_revenue) from marts.fct_orders")[0]
    (got_customers_and_guests,) = shop_build.query(
        "select (select coalesce(sum(revenue), 0) from marts.dim_customers)"
        " + (select coalesce(sum(line_revenue), 0) from marts.fct_order_lines where is_sale and is_guest)"
    )[0]
    assert want > 0
    assert (got_lines, got_orders, got_customers_and_guests) == (want, want, want)
    sale_lines = shop_build.query("select count(*) from marts.fct_order_lines where is_sale")[0][0]
    assert sale_lines == len(expected["sales"])


def test_revenue_per_year_equals_raw_sales(shop_build, expected):
    sales = expected["sales"]
    want = {year: sum(group["price"], Decimal(0)) for year, group in sales.groupby(sales["paid_at"].dt.year)}
    got = dict(
        shop_build.query(
            "select year(period_start), revenue from marts.revenue_by_period"
            " where period_grain = 'year' order by 1"
        )
    )
    assert got == want
    # every grain carries the same total (the data test checks this too; here against the raw files)
    totals = dict(
        shop_build.query("select period_grain, sum(revenue) from marts.revenue_by_period group by 1")
    )
    assert totals == dict.fromkeys(["day", "week", "month", "quarter", "year"], sum(want.values()))


def _product_sales(expected) -> pd.DataFrame:
    sales = expected["sales"]
    return sales[sales["customer_id"].notna() & sales["item_id"].isin(expected["products"])].copy()


def test_orders_and_new_customers_per_year(shop_build, expected):
    sales = _product_sales(expected)
    sales["year"] = sales["paid_at"].dt.year
    first_year = sales.groupby("customer_id")["paid_at"].min().dt.year
    want = {}
    for year, group in sales.groupby("year"):
        customers = set(group["customer_id"])
        new = sum(1 for customer in customers if first_year[customer] == year)
        want[year] = (len(customers), new)
    got = {
        year: (customers, new)
        for year, customers, new in shop_build.query(
            "select year(period_start), customers, new_customers from marts.revenue_by_period"
            " where period_grain = 'year'"
        )
    }
    assert got == want


def test_top_10_items_by_net_units(shop_build, expected):
    products = expected["sales"][expected["sales"]["item_id"].isin(expected["products"])]
    # shop lines are one unit each and the shop has no returns: net units = sale lines
    units = products.groupby("item_id").size().rename("net_units").reset_index()
    units = units.sort_values(["net_units", "item_id"], ascending=[False, True], kind="mergesort")
    want = [(item_id, int(net)) for item_id, net in units.head(10).itertuples(index=False)]
    got = shop_build.query(
        "select item_id, net_units from marts.item_rankings where rank_by_units <= 10 order by rank_by_units"
    )
    assert got == want
    ranked = shop_build.query("select count(*) from marts.item_rankings")[0][0]
    assert ranked == len(units), "item_rankings must hold every product with a sale, and only those"


def test_rfm_of_every_customer(shop_build, expected):
    sales = _product_sales(expected)
    sales["customer_id"] = sales["customer_id"].astype(int)
    as_of = expected["sales"]["paid_at"].max().date() + timedelta(days=1)
    want = sales.groupby("customer_id").agg(
        last_paid_at=("paid_at", "max"), frequency=("invoice_id", "nunique"), monetary=("price", "sum")
    )
    want["recency_days"] = [(as_of - paid.date()).days for paid in want["last_paid_at"]]
    for measure, ascending in (("recency_days", False), ("frequency", True), ("monetary", True)):
        ranks = want[measure].astype(float).rank(method="min", ascending=ascending).astype(int)
        want[measure[0] + "_score"] = [_score(rank, len(want)) for rank in ranks]
    scores = want[["r_score", "f_score", "m_score"]].itertuples(index=False)
    want["rfm_segment"] = [SEGMENT_GRID[r][(f + m) // 2 - 1] for r, f, m in scores]

    rows = shop_build.query(
        "select customer_id, as_of_date, recency_days, frequency, monetary, r_score, f_score, m_score,"
        " rfm_cell, rfm_segment from marts.customer_rfm"
    )
    got = {row[0]: row[1:] for row in rows}
    assert set(got) == set(want.index), "customer_rfm must hold exactly the customers with a sale"
    assert {row[0] for row in got.values()} == {as_of}

    # R/F/M field by field on a sample that exercises the rules: every customer who absorbed merged
    # accounts, every unknown user (no users row), and every 25th customer; scores for everyone below.
    merged_roots = {root for user, root in expected["roots"].items() if root is not None and root != user}
    unknown = {customer for customer in want.index if customer not in expected["roots"]}
    sample = sorted((set(want.index) & (merged_roots | unknown)) | set(want.index[::25]))
    assert set(sample) & merged_roots and unknown, "the sample must include merged and unknown users"
    for customer in sample:
        expected_rfm = tuple(want.loc[customer, ["recency_days", "frequency", "monetary"]])
        assert got[customer][1:4] == expected_rfm, f"customer {customer}"

    mismatched = [
        (customer, got[customer][4:], tuple(scores))
        for customer, *scores in want[["r_score", "f_score", "m_score"]].itertuples()
        if got[customer][4:7] != tuple(scores)
        or got[customer][7] != "".join(map(str, scores))
        or got[customer][8] != want.loc[customer, "rfm_segment"]
    ]
    assert not mismatched, f"{len(mismatched)} customers differ, e.g. {mismatched[:5]}"
