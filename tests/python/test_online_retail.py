"""The UCI Online Retail source: raw invoice lines -> the shared shapes -> the shared marts.

Expected values are computed here, with pandas, straight from the raw rows (the fixture written by
`ecom_analytics.fixtures.online_retail`, or the real file in ../shared/data), following CONTRACT.md's
definitions; they are never read from the tables under test.
"""

from __future__ import annotations

import csv
import gzip
from datetime import timedelta
from pathlib import Path

import pandas as pd
import pytest

from conftest import REAL_ONLINE_RETAIL, REPO, Build, dbt
from ecom_analytics.fixtures import online_retail as fixture

SEED_CODES = REPO / "seeds" / "non_product_stock_codes.csv"
# Everything the shared shapes need, plus the reason-code seed their relationships test reads; cautious
# selection leaves out the marts' tests that also read int_order_lines (the marts are not built here).
SELECT_SHAPES = [
    "--indirect-selection",
    "cautious",
    "--select",
    "+int_online_retail__order_lines",
    "+int_online_retail__customers",
    "+int_online_retail__items",
    "+int_online_retail__dq_issues",
    "+int_online_retail__dq_row_counts",
    "+int_order_lines",
    "+int_customers",
    "+int_items",
    "+int_dq_issues",
    "+int_dq_row_counts",
    "dq_reason_codes",
]


# ---------------------------------------------------------------------------------------------------------
# The reference: CONTRACT.md's rules applied to the raw rows with pandas.
# ---------------------------------------------------------------------------------------------------------


def read_raw(path: Path) -> pd.DataFrame:
    """The raw file as text, exactly as written (empty fields stay empty strings)."""
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def seed_kind(rows: list[dict[str, str]], code: str) -> dict[str, str] | None:
    """The seed row of a stock code: an exact entry, else the longest matching prefix."""
    exact = [row for row in rows if row["match_type"] == "exact" and row["stock_code"] == code]
    prefixes = [row for row in rows if row["match_type"] == "prefix" and code.startswith(row["stock_code"])]
    matches = exact or sorted(prefixes, key=lambda row: -len(row["stock_code"]))
    return matches[0] if matches else None


def reference(raw: pd.DataFrame) -> pd.DataFrame:
    """Every raw row with its fate: `fate` is sale, return or the quarantine reason."""
    frame = raw.copy()
    frame["is_copy"] = frame.duplicated(keep="first")
    frame["quantity"] = frame["Quantity"].astype(int)
    frame["price"] = frame["UnitPrice"].astype(float)
    frame["is_c"] = frame["InvoiceNo"].str.startswith("C")
    frame["item_id"] = frame["StockCode"].str.strip().str.upper()
    frame["description"] = frame["Description"].str.strip()
    frame["customer"] = frame["CustomerID"].map(lambda text: int(float(text)) if text.strip() else None)
    frame["when"] = pd.to_datetime(frame["InvoiceDate"], format="mixed")
    with open(SEED_CODES, newline="") as handle:
        seed_rows = list(csv.DictReader(handle))
    kinds = {code: seed_kind(seed_rows, code) for code in frame["item_id"].unique()}
    frame["item_kind"] = frame["item_id"].map(
        lambda code: kinds[code]["item_kind"] if kinds[code] else "product"
    )
    frame["is_product"] = frame["item_kind"] == "product"
    negative_allowed = frame["item_id"].map(
        lambda code: bool(kinds[code]) and kinds[code]["negative_price_allowed"] == "true"
    )
    fate = pd.Series("sale", index=frame.index)
    fate[frame["price"] < 0] = "other"
    fate[frame["is_c"]] = "return"
    fate[frame["is_c"] & (frame["quantity"] > 0)] = "positive_cancellation"
    fate[frame["quantity"] == 0] = "zero_quantity"
    fate[~frame["is_c"] & (frame["quantity"] < 0)] = "negative_quantity"
    fate[(frame["price"] < 0) & ~negative_allowed] = "negative_price"
    fate[frame["is_copy"]] = "duplicate_row"
    frame["fate"] = fate
    frame["revenue"] = frame["quantity"] * frame["price"]
    return frame


def kept(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[frame["fate"].isin(["sale", "return", "other"])]


def statement(clean: pd.DataFrame) -> dict[str, float]:
    """CONTRACT.md's revenue statement of the kept lines, from the seed's item kinds alone."""
    product_sale = clean["is_product"] & (clean["fate"] == "sale")
    product_return = clean["is_product"] & (clean["fate"] == "return")
    shipping = (clean["item_kind"] == "postage") & (clean["fate"] == "sale")
    adjustment = ~(product_sale | product_return | shipping)
    return {
        "revenue": clean.loc[product_sale, "revenue"].sum(),
        "returns": -clean.loc[product_return, "revenue"].sum(),
        "shipping_revenue": clean.loc[shipping, "revenue"].sum(),
        "adjustments": clean.loc[adjustment, "revenue"].sum(),
        "total": clean["revenue"].sum(),
    }


# ---------------------------------------------------------------------------------------------------------
# The fixture file: hand-countable facts.
# ---------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def fixture_build(tmp_path_factory) -> Build:
    base = tmp_path_factory.mktemp("online_retail_fixture")
    raw = fixture.write(base / "raw" / "online_retail.csv.gz")
    build = Build(base / "warehouse.duckdb", raw, base / "truth", base / "target")
    dbt(
        ["build", *SELECT_SHAPES],
        db=build.db,
        target=build.target,
        dbt_vars={"source_system": "online_retail", "online_retail_csv": str(raw)},
    )
    return build


def test_fixture_is_deterministic_and_has_every_trait(tmp_path):
    first = fixture.write(tmp_path / "a.csv.gz")
    second = fixture.write(tmp_path / "b.csv.gz")
    assert first.read_bytes() == second.read_bytes()
    assert gzip.decompress(first.read_bytes()).decode() == fixture.render()
    frame = reference(read_raw(first))
    assert 200 <= len(frame) <= 400
    fates = frame["fate"].value_counts()
    # Planted by the writer: 5 lines copied once and 1 twice; 2 write-offs; 1 product with a negative price;
    # a bad-debt pair whose negative side is kept.
    assert fates["duplicate_row"] == 7
    assert fates["negative_quantity"] == 2
    assert fates["negative_price"] == 1
    assert fates["other"] == 1
    assert fates["return"] >= 4
    assert (frame["CustomerID"] == "").sum() > 0
    assert frame["CustomerID"].str.endswith(".0").sum() == (frame["CustomerID"] != "").sum()
    assert (kept(frame)["price"] == 0).sum() == 3
    assert {"POST", "M", "D", "GIFT_0001_10"} <= set(frame["item_id"])
    assert "10010bl" in set(frame["StockCode"])
    assert frame[frame["customer"] == 12008]["Country"].nunique() == 2


@pytest.mark.slow
def test_fixture_rows_are_all_accounted_for(fixture_build):
    frame = reference(read_raw(fixture_build.raw))
    counts = fixture_build.query(
        "select raw_rows, clean_rows, quarantined_rows from intermediate.int_dq_row_counts"
        " where source_table = 'online_retail'"
    )
    assert counts == [(len(frame), len(kept(frame)), len(frame) - len(kept(frame)))]


@pytest.mark.slow
def test_fixture_line_types_and_revenue(fixture_build):
    frame = kept(reference(read_raw(fixture_build.raw)))
    expected = (
        frame.groupby("fate")
        .agg(lines=("fate", "size"), units=("quantity", "sum"), revenue=("revenue", "sum"))
        .round(3)
    )
    got = fixture_build.df(
        "select line_type, count(*) as lines, sum(quantity) as units, sum(line_revenue) as revenue"
        " from intermediate.int_order_lines group by line_type"
    ).set_index("line_type")
    for line_type in ("sale", "return", "other"):
        assert got.loc[line_type, "lines"] == expected.loc[line_type, "lines"]
        assert got.loc[line_type, "units"] == expected.loc[line_type, "units"]
        assert float(got.loc[line_type, "revenue"]) == pytest.approx(expected.loc[line_type, "revenue"])
    assert set(got.index) == {"sale", "return", "other"}
    guests = fixture_build.query(
        "select count(*) from intermediate.int_order_lines where customer_id is null"
    )
    assert guests == [(int(frame["customer"].isna().sum()),)]


@pytest.mark.slow
def test_fixture_reason_codes(fixture_build):
    frame = reference(read_raw(fixture_build.raw))
    clean = kept(frame)
    expected = {
        **frame.loc[~frame["fate"].isin(["sale", "return", "other"]), "fate"].value_counts().to_dict(),
        "non_product": int((~clean["is_product"]).sum()),
        "zero_price": int((clean["price"] == 0).sum()),
        "guest_line": int(clean["customer"].isna().sum()),
        "missing_description": int((clean["description"] == "").sum()),
        "stock_code_case": int((clean["StockCode"].str.strip() != clean["item_id"]).sum()),
    }
    got = dict(
        fixture_build.query(
            "select reason_code, count(*) from intermediate.int_dq_issues"
            " where source_table = 'online_retail' group by reason_code"
        )
    )
    assert got == {code: count for code, count in expected.items() if count}
    one_per_row = fixture_build.query(
        "select count(*), count(distinct record_key) from intermediate.int_dq_issues"
        " where action = 'quarantined'"
    )
    assert one_per_row[0][0] == one_per_row[0][1] == len(frame) - len(clean)


@pytest.mark.slow
def test_fixture_customers_and_items(fixture_build):
    clean = kept(reference(read_raw(fixture_build.raw)))
    buyers = clean.dropna(subset=["customer"])
    latest = buyers.sort_values(["when", "Country"], ascending=[False, True]).drop_duplicates("customer")
    expected_countries = {int(row.customer): row.Country for row in latest.itertuples()}
    got_countries = dict(fixture_build.query("select customer_id, country from intermediate.int_customers"))
    assert got_countries == expected_countries
    assert expected_countries[12008] == "Belgium"

    names = (
        clean[clean["description"] != ""]
        .groupby(["item_id", "description"])
        .size()
        .reset_index(name="n")
        .sort_values(["item_id", "n", "description"], ascending=[True, False, True])
        .drop_duplicates("item_id")
        .set_index("item_id")["description"]
    )
    sales = clean[clean["fate"] == "sale"]
    prices = (
        sales.groupby(["item_id", "price"])
        .size()
        .reset_index(name="n")
        .sort_values(["item_id", "n", "price"], ascending=[True, False, True])
        .drop_duplicates("item_id")
        .set_index("item_id")["price"]
    )
    items = fixture_build.df(
        "select item_id, item_name, price, item_kind, is_product from intermediate.int_items"
    ).set_index("item_id")
    assert set(items.index) == set(clean["item_id"])
    for item_id, name in names.items():
        assert items.loc[item_id, "item_name"] == name, item_id
    for item_id, price in prices.items():
        assert float(items.loc[item_id, "price"]) == pytest.approx(price), item_id
    assert items.loc["10010BL", "is_product"]
    assert items.loc["POST", "item_kind"] == "postage"
    assert items.loc["GIFT_0001_10", "item_kind"] == "voucher"
    assert not items.loc["M", "is_product"]


@pytest.mark.slow
def test_us_dates_in_plain_csv_give_the_same_lines(fixture_build, tmp_path):
    raw = fixture.write(tmp_path / "online_retail_us.csv", date_style="us")
    assert "/2010 " in raw.read_text()
    us = Build(tmp_path / "warehouse.duckdb", raw, tmp_path / "truth", tmp_path / "target")
    dbt(
        ["build", *SELECT_SHAPES],
        db=us.db,
        target=us.target,
        dbt_vars={"source_system": "online_retail", "online_retail_csv": str(raw)},
    )
    # line_key fingerprints the date as written, so the two files differ only there.
    sql = (
        "select * exclude (line_key) from intermediate.int_order_lines"
        " order by order_key, item_id, quantity, unit_price, item_name"
    )
    pd.testing.assert_frame_equal(us.df(sql), fixture_build.df(sql))


@pytest.mark.slow
@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such file"),
        ("Invoice,Item,Qty\n1,2,3\n", "missing column(s) InvoiceNo, StockCode"),
    ],
)
def test_bad_file_fails_with_a_clear_message(tmp_path, content, message):
    path = tmp_path / "online_retail.csv"
    if content is not None:
        path.write_text(content)
    result = dbt(
        ["run", "--select", "stg_online_retail__invoice_lines"],
        db=tmp_path / "warehouse.duckdb",
        target=tmp_path / "target",
        dbt_vars={"source_system": "online_retail", "online_retail_csv": str(path)},
        check=False,
    )
    assert result.returncode != 0
    assert f"online_retail_csv={path}" in result.stdout
    assert message in result.stdout


# ---------------------------------------------------------------------------------------------------------
# The real file: the marts against pandas straight from the raw file.
# ---------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real() -> pd.DataFrame:
    if not REAL_ONLINE_RETAIL.exists():
        pytest.skip(f"real Online Retail file not present at {REAL_ONLINE_RETAIL}")
    return reference(read_raw(REAL_ONLINE_RETAIL))


@pytest.mark.slow
def test_real_file_rows_are_all_accounted_for(real, online_retail_build):
    clean = kept(real)
    quarantined = len(real) - len(clean)
    assert len(real) == 541_909
    assert online_retail_build.query("select count(*) from marts.fct_order_lines") == [(len(clean),)]
    got = online_retail_build.query(
        "select count(*) from marts.data_quality_issues"
        " where source_table = 'online_retail' and action = 'quarantined'"
    )
    assert got == [(quarantined,)]
    summary = online_retail_build.query(
        "select raw_rows, clean_rows, quarantined_rows from intermediate.int_dq_row_counts"
    )
    assert summary == [(len(real), len(clean), quarantined)]


@pytest.mark.slow
def test_real_file_line_types_and_reasons(real, online_retail_build):
    clean = kept(real)
    got_types = dict(
        online_retail_build.query("select line_type, count(*) from marts.fct_order_lines group by line_type")
    )
    assert got_types == clean["fate"].value_counts().to_dict()
    got_quarantine = dict(
        online_retail_build.query(
            "select reason_code, count(*) from marts.data_quality_issues"
            " where source_table = 'online_retail' and action = 'quarantined' group by reason_code"
        )
    )
    expected = real.loc[~real["fate"].isin(["sale", "return", "other"]), "fate"].value_counts().to_dict()
    assert got_quarantine == expected
    # The two negative bad-debt lines are bookkeeping kept as adjustments, not negative_price errors.
    assert expected == {"duplicate_row": 5268, "negative_quantity": 1336}


@pytest.mark.slow
def test_real_file_revenue_statement(real, online_retail_build):
    clean = kept(real)
    expected = statement(clean)
    # The figures, so a change of the seed that moves them is seen: products only, postage apart.
    assert expected["revenue"] == pytest.approx(10_246_820.87, abs=0.01)
    assert expected["returns"] == pytest.approx(475_901.16, abs=0.01)
    assert expected["shipping_revenue"] == pytest.approx(291_401.65, abs=0.01)
    measures = list(expected)
    got = online_retail_build.df(
        f"select currency, {', '.join(f'sum({m}) as {m}' for m in measures)} from marts.revenue_by_period"
        " where period_grain = 'year' group by currency"
    )
    assert list(got["currency"]) == ["GBP"]
    for measure in measures:
        assert float(got.loc[0, measure]) == pytest.approx(expected[measure], abs=0.01), measure
    orders = online_retail_build.df(
        f"select {', '.join(f'sum({m}) as {m}' for m in measures)}, min(currency) as currency"
        " from marts.fct_orders"
    )
    for measure in measures:
        assert float(orders.loc[0, measure]) == pytest.approx(expected[measure], abs=0.01), measure
    assert orders.loc[0, "currency"] == "GBP"


@pytest.mark.slow
def test_real_file_fees_and_manual_lines_are_adjustments(real, online_retail_build):
    codes = ("AMAZONFEE", "M", "BANK CHARGES", "CRUK", "D", "S", "B")
    got = online_retail_build.df(
        "select item_id, line_class, count(*) as lines, sum(line_revenue) as amount"
        " from marts.fct_order_lines"
        f" where item_id in ({', '.join(repr(code) for code in codes)}) group by item_id, line_class"
    )
    assert set(got["line_class"]) == {"adjustment"}
    clean = kept(real)
    expected = clean[clean["item_id"].isin(codes)].groupby("item_id")["revenue"].agg(["size", "sum"])
    assert set(got["item_id"]) == set(codes) == set(expected.index)
    for row in got.itertuples():
        assert row.lines == expected.loc[row.item_id, "size"], row.item_id
        assert float(row.amount) == pytest.approx(expected.loc[row.item_id, "sum"], abs=0.01), row.item_id
    # Both sides of the bad-debt pair count: +11,062.06 once, -11,062.06 twice.
    assert float(got.set_index("item_id").loc["B", "amount"]) == pytest.approx(-11_062.06, abs=0.01)


@pytest.mark.slow
def test_real_file_buyers_are_product_buyers(real, online_retail_build):
    clean = kept(real)
    sales = clean[(clean["fate"] == "sale") & clean["is_product"]]
    buyers = online_retail_build.query("select count(*) from marts.customer_rfm")
    assert buyers == [(sales["customer"].nunique(),)]


@pytest.mark.slow
def test_real_file_monthly_revenue(real, online_retail_build):
    clean = kept(real)
    sales = clean[(clean["fate"] == "sale") & clean["is_product"]]
    expected = sales.groupby(sales["when"].dt.to_period("M"))["revenue"].sum()
    got = online_retail_build.df(
        "select period_start, revenue from marts.revenue_by_period where period_grain = 'month'"
        " order by period_start"
    )
    assert len(got) == len(expected) == 13
    for row, (month, revenue) in zip(got.itertuples(), expected.items(), strict=True):
        assert pd.Timestamp(row.period_start).to_period("M") == month
        assert float(row.revenue) == pytest.approx(revenue, abs=0.01), month


@pytest.mark.slow
@pytest.mark.parametrize("measure", ["net_units", "net_revenue"])
def test_real_file_top_items(real, online_retail_build, measure):
    clean = kept(real)
    products = clean[clean["is_product"]]
    per_item = products.groupby("item_id").agg(net_units=("quantity", "sum"), net_revenue=("revenue", "sum"))
    per_item["net_revenue"] = per_item["net_revenue"].round(3)
    expected = (
        per_item.reset_index().sort_values([measure, "item_id"], ascending=[False, True]).head(10)["item_id"]
    )
    rank = "rank_by_units" if measure == "net_units" else "rank_by_revenue"
    got = online_retail_build.df(
        f"select item_id, {measure} from marts.item_rankings where {rank} <= 10 order by {rank}"
    )
    assert list(got["item_id"]) == list(expected)
    for row in got.itertuples():
        assert float(getattr(row, measure)) == pytest.approx(per_item.loc[row.item_id, measure], abs=0.01)
    non_products = online_retail_build.query(
        "select count(*) from marts.item_rankings where item_id in ('POST', 'DOT', 'M', 'D', 'AMAZONFEE')"
    )
    assert non_products == [(0,)]


@pytest.mark.slow
@pytest.mark.parametrize(("grain", "start"), [("month", "2011-11-01"), ("quarter", "2011-07-01")])
def test_real_file_top_items_of_a_period(real, online_retail_build, grain, start):
    clean = kept(real)
    products = clean[clean["is_product"]].copy()
    period = products["when"].dt.to_period("M" if grain == "month" else "Q")
    products = products[period == pd.Period(start, "M" if grain == "month" else "Q")]
    per_item = products.groupby("item_id").agg(net_units=("quantity", "sum"), net_revenue=("revenue", "sum"))
    per_item["net_revenue"] = per_item["net_revenue"].round(3)
    expected = (
        per_item.reset_index().sort_values(["net_revenue", "item_id"], ascending=[False, True]).head(10)
    )
    got = online_retail_build.df(
        "select item_id, net_units, net_revenue from marts.item_rankings_by_period"
        f" where period_grain = '{grain}' and period_start = date '{start}' and rank_by_revenue <= 10"
        " order by rank_by_revenue"
    )
    assert list(got["item_id"]) == list(expected["item_id"])
    for row, want in zip(got.itertuples(), expected.itertuples(), strict=True):
        assert row.net_units == want.net_units, row.item_id
        assert float(row.net_revenue) == pytest.approx(want.net_revenue, abs=0.01), row.item_id
    items = online_retail_build.query(
        f"select count(*) from marts.item_rankings_by_period where period_grain = '{grain}'"
        f" and period_start = date '{start}'"
    )
    assert items == [(len(per_item),)]


@pytest.mark.slow
def test_real_file_rfm_of_a_sample_of_customers(real, online_retail_build):
    clean = kept(real)
    sales = clean[(clean["fate"] == "sale") & clean["is_product"] & clean["customer"].notna()]
    as_of = (clean.loc[clean["fate"] == "sale", "when"].max().normalize() + timedelta(days=1)).date()
    per_customer = sales.groupby("customer").agg(
        last=("when", "max"), frequency=("InvoiceNo", "nunique"), monetary=("revenue", "sum")
    )
    # Every 97th customer by id: a fixed sample spread over the whole range.
    sample = sorted(per_customer.index)[::97]
    got = online_retail_build.df(
        "select customer_id, as_of_date, recency_days, frequency, monetary from marts.customer_rfm"
        f" where customer_id in ({', '.join(str(int(c)) for c in sample)})"
    ).set_index("customer_id")
    assert len(got) == len(sample) >= 40
    for customer in sample:
        row = got.loc[int(customer)]
        expected = per_customer.loc[customer]
        assert pd.Timestamp(row["as_of_date"]).date() == as_of
        assert row["recency_days"] == (as_of - expected["last"].date()).days, customer
        assert row["frequency"] == expected["frequency"], customer
        assert float(row["monetary"]) == pytest.approx(expected["monetary"], abs=0.01), customer
