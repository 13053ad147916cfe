"""The floor: the core outputs as ONE plain DuckDB SQL script, no dbt, then scikit-learn for k-means.

The script is the source's cleaning part (`floor_shop.sql` or `floor_online_retail.sql`, ending in table
`lines`) followed by `floor_common.sql` (revenue by month, item rankings, RFM), run in one in-memory DuckDB
connection with the same threads and memory limit as the dbt profile. DuckDB has no k-means, so the RFM
table is handed to scikit-learn (`bench.kmeans`), exactly like the peer does.

    python -m bench.floor --source shop --shop-raw-path DIR --out result.json
    python -m bench.floor --source online_retail --online-retail-csv FILE --out result.json
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import duckdb

from bench import kmeans
from bench.headline import cents
from bench.reference_cli import SHOP_EXTRACTED_AT, reference_main

HERE = Path(__file__).resolve().parent


def script(source: str) -> str:
    return (HERE / f"floor_{source}.sql").read_text() + "\n" + (HERE / "floor_common.sql").read_text()


def run(source: str, path: Path, *, extracted_at: str = SHOP_EXTRACTED_AT, threads: int = 2) -> dict:
    """The core outputs of `source` from the raw files at `path`: the headline and a few counts."""
    path = Path(path)
    # the shop's orders land as one orders.csv or as orders/landed_on=YYYY-MM-DD/*.csv partitions
    patterns = ["users.csv", "items.csv", "**/orders*.csv"] if source == "shop" else []
    missing = [str(path / p) for p in patterns if not any(path.glob(p))]
    if source != "shop" and not path.exists():
        missing.append(str(path))
    if missing:
        raise FileNotFoundError(f"floor ({source}): raw file(s) not found: {', '.join(missing)}")
    started = time.perf_counter()
    con = duckdb.connect(":memory:")
    try:
        con.execute(f"set threads = {int(threads)}")
        con.execute("set memory_limit = '3GB'")  # the profile's default (profiles.yml)
        con.execute("set preserve_insertion_order = false")
        if source == "shop":
            con.execute("set variable shop_raw_path = ?", [str(path)])
            con.execute("set variable shop_extracted_at = ?", [extracted_at])
        else:
            con.execute("set variable online_retail_csv = ?", [str(path)])
        con.execute(script(source))
        months = con.execute(
            "select strftime(month_start, '%Y-%m'), revenue from revenue_by_month "
            "where revenue <> 0 order by month_start"
        ).fetchall()
        total = con.execute("select coalesce(sum(revenue), 0) from revenue_by_month").fetchone()[0]
        top10 = con.execute(
            "select item_id from item_rankings where rank_by_units <= 10 order by rank_by_units"
        )
        top10 = [row[0] for row in top10.fetchall()]
        clean_lines = con.execute("select count(*) from lines").fetchone()[0]
        rfm = con.execute(
            "select recency_days, frequency, monetary::double as monetary "
            "from customer_rfm order by customer_id"
        ).fetchnumpy()
    finally:
        con.close()
    prepared = time.perf_counter()
    segments = kmeans.segment(kmeans.features(rfm["recency_days"], rfm["frequency"], rfm["monetary"]))
    return {
        "total_revenue": cents(total),
        "customers_with_sale": len(rfm["frequency"]),
        "top10_items_by_net_units": top10,
        "revenue_by_month": {month: cents(revenue) for month, revenue in months},
        "clean_lines": int(clean_lines),
        "segments_k": int(segments["k"]),
        "seconds_sql": round(prepared - started, 3),
        "seconds_kmeans": round(time.perf_counter() - prepared, 3),
    }


def main(argv: list[str] | None = None) -> int:
    return reference_main("floor", __doc__.splitlines()[0], run, (FileNotFoundError, duckdb.Error), argv)


if __name__ == "__main__":
    sys.exit(main())
