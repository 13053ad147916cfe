"""The peer: the same core outputs in pandas + scikit-learn, the way an analysis notebook does it.

read_csv, drop_duplicates, to_datetime, map, groupby, rank - then the same k-means step as the floor
(`bench.kmeans`). It applies the cleaning rules of docs/architecture.md independently of the dbt models.

    python -m bench.peer_pandas --source shop --shop-raw-path DIR --out result.json
    python -m bench.peer_pandas --source online_retail --online-retail-csv FILE --out result.json
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from bench import kmeans
from bench.headline import cents
from bench.reference_cli import SHOP_EXTRACTED_AT, reference_main

NON_PRODUCT_CODES = {"POST", "DOT", "C2", "M", "D", "B", "S", "PADS", "CRUK", "AMAZONFEE", "BANK CHARGES"}


def _read(path: Path) -> pd.DataFrame:
    if not Path(path).is_file():
        raise FileNotFoundError(f"peer_pandas: raw file not found: {path}")
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def _null(s: pd.Series) -> pd.Series:
    s = s.str.strip()
    return s.mask(s.isin(["None", ""]))


def _ids(s: pd.Series) -> pd.Series:
    return pd.to_numeric(_null(s), errors="coerce").astype("Int64")


def _timestamps(s: pd.Series) -> pd.Series:
    # `2014-12-20 07-07-45` is the export's odd style of `2014-12-20 07:07:45`.
    repaired = _null(s).str.replace(r"^(\d{4}-\d{2}-\d{2} \d{2})-(\d{2})-(\d{2})$", r"\1:\2:\3", regex=True)
    return pd.to_datetime(repaired, format="%Y-%m-%d %H:%M:%S", errors="coerce")


def _is_future(ts: pd.Series, cutoff: pd.Timestamp) -> pd.Series:
    return (ts > cutoff).fillna(False)


def _roots(users: pd.DataFrame) -> pd.Series:
    """user_id -> root of its merge chain (A -> B -> C: A and B are C), for users that are not quarantined.

    A parent that is not a clean user ends the chain; a walk still moving after 64 steps goes round a merge
    cycle and gets <NA>.
    """
    clean = users[~users["is_quarantined"]]
    parent = clean.set_index("user_id")["parent_user_id"].dropna()
    parent = parent[parent.isin(clean["user_id"])]
    root = pd.Series(clean["user_id"].to_numpy(), index=clean["user_id"].to_numpy(), dtype="Int64")
    for _ in range(64):
        step = root.map(parent)
        moved = step.notna()
        if not moved.any():
            return root
        # `where`, not a masked assignment: on an Int64 series the latter left merged accounts at <NA>
        root = root.where(~moved, step)
    root[root.map(parent).notna()] = pd.NA
    return root


def shop_lines(raw: Path, extracted_at: str = SHOP_EXTRACTED_AT) -> pd.DataFrame:
    cutoff = pd.Timestamp(extracted_at)
    users = _read(raw / "users.csv")
    # A user id written twice keeps its first version (by the raw text); a future-dated user is quarantined.
    users = users.assign(user_id=_ids(users["id"])).dropna(subset=["user_id"])
    users = users.sort_values(
        [
            "user_id",
            "created_at",
            "deleted_at",
            "merged_at",
            "parent_user_id",
            "email_address",
            "first_name",
            "last_name",
        ]
    ).drop_duplicates("user_id")
    users = pd.DataFrame(
        {
            "user_id": users["user_id"],
            "parent_user_id": _ids(users["parent_user_id"]),
            "is_quarantined": _is_future(_timestamps(users["created_at"]), cutoff)
            | _is_future(_timestamps(users["deleted_at"]), cutoff)
            | _is_future(_timestamps(users["merged_at"]), cutoff),
        }
    )
    roots = _roots(users)

    # Catalog items priced 0 (the how-to-manuals) are free add-ons, not products: rankings leave them out.
    items = _read(raw / "items.csv")
    catalog = set(_ids(items["id"]).dropna().astype(str))
    free_items = set(
        _ids(items["id"])[pd.to_numeric(_null(items["price"]), errors="coerce").round(2) == 0].astype(str)
    )

    # Exact duplicate lines are extra copies of one line; a line id written twice keeps its first version.
    # orders.csv, or orders/landed_on=YYYY-MM-DD/*.csv partitions
    orders = pd.concat([_read(path) for path in sorted(raw.glob("**/orders*.csv"))], ignore_index=True)
    orders = orders.drop_duplicates()
    orders = orders.assign(line_id=_ids(orders["line_item_id"]))
    orders = orders.sort_values(
        [
            "line_id",
            "invoice_id",
            "user_id",
            "item_id",
            "item_name",
            "item_category",
            "price",
            "created_at",
            "paid_at",
        ]
    ).drop_duplicates("line_id")
    df = pd.DataFrame(
        {
            "line_id": orders["line_id"],
            "order_key": _ids(orders["invoice_id"]).astype(str),
            "source_customer_id": _ids(orders["user_id"]),
            "item_id": _ids(orders["item_id"]).astype(str),
            "unit_price": pd.to_numeric(_null(orders["price"]), errors="coerce").round(2),
            "ordered_at": _timestamps(orders["created_at"]),
            "paid_at": _timestamps(orders["paid_at"]),
        }
    )
    bad_timestamp = (_null(orders["created_at"]).notna() & df["ordered_at"].isna()) | (
        _null(orders["paid_at"]).notna() & df["paid_at"].isna()
    )
    keep = (
        df["line_id"].notna()
        & ~bad_timestamp
        & df["ordered_at"].notna()
        & ~_is_future(df["ordered_at"], cutoff)
        & ~_is_future(df["paid_at"], cutoff)
        & (df["unit_price"] >= 0)
    )
    df = df[keep].copy()
    # A user id with no users row is an inferred customer of its own; a merged account is its root.
    known = df["source_customer_id"].isin(users["user_id"])
    df["customer_id"] = df["source_customer_id"].where(~known, df["source_customer_id"].map(roots))
    df["line_type"] = np.where(df["paid_at"].notna(), "sale", "other")
    # an item missing from items.csv is free only when every kept line of it is priced 0
    unknown_max_price = df[~df["item_id"].isin(catalog)].groupby("item_id")["unit_price"].max()
    free_items |= set(unknown_max_price[unknown_max_price == 0].index)
    df["is_product"] = ~df["item_id"].isin(free_items)
    df["quantity"] = 1
    return df


def online_retail_lines(csv: Path) -> pd.DataFrame:
    raw = _read(csv).drop_duplicates()
    df = pd.DataFrame(
        {
            "order_key": raw["InvoiceNo"].str.strip(),
            "customer_id": pd.to_numeric(raw["CustomerID"].str.strip(), errors="coerce").astype("Int64"),
            # Stock codes are also written in lower case (`15056bl` for `15056BL`): one item.
            "item_id": raw["StockCode"].str.strip().str.upper(),
            "quantity": pd.to_numeric(raw["Quantity"], errors="coerce"),
            "unit_price": pd.to_numeric(raw["UnitPrice"], errors="coerce").round(3),
            # The UCI xlsx export writes `12/1/2010 8:26`, the csv `2010-12-01 08:26:00`.
            "paid_at": pd.to_datetime(raw["InvoiceDate"].str.strip(), format="mixed", errors="coerce"),
        }
    )
    # A C invoice credits what an earlier one charged. Quarantined: negative prices, zero quantities, negative
    # quantities outside a cancellation and positive ones inside one.
    cancelled = df["order_key"].str.startswith("C")
    priced = df["unit_price"] >= 0
    is_return = cancelled & (df["quantity"] < 0) & priced
    is_sale = ~cancelled & (df["quantity"] > 0) & priced
    df["line_type"] = np.select([is_return, is_sale], ["return", "sale"], default="")
    df = df[(df["line_type"] != "") & df["paid_at"].notna()].copy()
    code = df["item_id"]
    df["is_product"] = ~(
        code.isin(NON_PRODUCT_CODES) | code.str.startswith("GIFT_0001_") | code.str.startswith("DCGS")
    )
    return df


def _score(values: pd.Series, ascending: bool) -> pd.Series:
    # Quintiles where equal values share a score: 1 + floor(5 * percent_rank), capped at 5.
    ranks = values.rank(method="min", ascending=ascending)
    n = max(len(values) - 1, 1)
    return np.minimum(5, 1 + np.floor(5 * (ranks - 1) / n)).astype(int)


def outputs(lines: pd.DataFrame) -> dict:
    lines = lines.assign(revenue=lines["quantity"] * lines["unit_price"])
    sales = lines[lines["line_type"] == "sale"]
    # revenue is gross product sales: postage, fees, vouchers and free add-ons are not products
    product_sales = sales[sales["is_product"]]

    revenue_by_month = (
        product_sales.groupby(product_sales["paid_at"].dt.to_period("M"))["revenue"].sum().sort_index()
    )

    products = lines[lines["is_product"] & lines["line_type"].isin(["sale", "return"])]
    rankings = products.groupby("item_id").agg(
        net_units=("quantity", "sum"), net_revenue=("revenue", "sum"), buyers=("customer_id", "nunique")
    )
    rankings = rankings.reset_index().sort_values(["net_units", "item_id"], ascending=[False, True])
    rankings["rank_by_units"] = np.arange(1, len(rankings) + 1)

    as_of = sales["paid_at"].max().normalize() + pd.Timedelta(days=1)
    rfm = (
        product_sales.dropna(subset=["customer_id"])
        .groupby("customer_id")
        .agg(
            last_order_at=("paid_at", "max"), frequency=("order_key", "nunique"), monetary=("revenue", "sum")
        )
    )
    rfm["recency_days"] = (as_of - rfm["last_order_at"].dt.normalize()).dt.days
    rfm["r_score"] = _score(rfm["recency_days"], ascending=False)
    rfm["f_score"] = _score(rfm["frequency"], ascending=True)
    rfm["m_score"] = _score(rfm["monetary"], ascending=True)
    rfm = rfm.sort_index()
    prepared = time.perf_counter()
    segments = kmeans.segment(kmeans.features(rfm["recency_days"], rfm["frequency"], rfm["monetary"]))

    return {
        "total_revenue": cents(product_sales["revenue"].sum()),
        "customers_with_sale": len(rfm),
        "top10_items_by_net_units": rankings["item_id"].head(10).tolist(),
        "revenue_by_month": {
            str(month): cents(revenue)
            for month, revenue in revenue_by_month.items()
            if round(revenue, 2) != 0
        },
        "clean_lines": len(lines),
        "segments_k": int(segments["k"]),
        "seconds_kmeans": round(time.perf_counter() - prepared, 3),
    }


def run(source: str, path: Path, *, extracted_at: str = SHOP_EXTRACTED_AT) -> dict:
    started = time.perf_counter()
    path = Path(path)
    lines = shop_lines(path, extracted_at) if source == "shop" else online_retail_lines(path)
    result = outputs(lines)
    result["seconds_pandas"] = round(time.perf_counter() - started - result["seconds_kmeans"], 3)
    return result


def main(argv: list[str] | None = None) -> int:
    return reference_main(
        "peer_pandas", __doc__.splitlines()[0], run, (FileNotFoundError, KeyError, ValueError), argv
    )


if __name__ == "__main__":
    sys.exit(main())
