"""`dbt source freshness` reads when the raw files were written: fresh files pass, files 10 days old warn.

The shop sources declare `warn_after: 2 days` with a `loaded_at_query` over the files' modification times, so
the check needs no warehouse table: it runs right after the generator writes the files.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from conftest import dbt, generate_shop

FRESHNESS_CHECKED = {"users", "items", "orders", "events"}


def _freshness(raw: Path, tmp_path: Path, name: str) -> tuple[dict[str, str], str]:
    """({source table: status}, dbt's output) of `dbt source freshness` on `raw`."""
    target = tmp_path / name
    result = dbt(
        ["source", "freshness"],
        db=tmp_path / "warehouse.duckdb",
        target=target,
        dbt_vars={"shop_raw_path": str(raw)},
        check=False,
    )
    output = result.stdout + result.stderr
    assert "Traceback" not in output, output[-3000:]
    results = json.loads((target / "sources.json").read_text())["results"]
    return {r["unique_id"].rsplit(".", 1)[1]: r["status"] for r in results}, output


@pytest.mark.slow
def test_fresh_files_pass_and_stale_files_warn(tmp_path):
    raw = tmp_path / "raw"
    generate_shop(raw, tmp_path / "truth", scale=0.005)

    statuses, output = _freshness(raw, tmp_path, "fresh")
    assert statuses == dict.fromkeys(FRESHNESS_CHECKED, "pass"), output[-3000:]

    ten_days_ago = time.time() - 10 * 24 * 3600
    for path in raw.rglob("*.csv"):
        os.utime(path, (ten_days_ago, ten_days_ago))
    statuses, output = _freshness(raw, tmp_path, "stale")
    assert statuses == dict.fromkeys(FRESHNESS_CHECKED, "warn"), output[-3000:]
    assert "WARN freshness of shop.orders" in output, output[-3000:]
