"""The semantic layer (models/semantic/): MetricFlow's `mf query` on the shop build gives the same monthly
revenue as the mart revenue_by_period, to the cent.

The metrics are defined over fct_order_lines' line flags; revenue_by_period computes its own revenue in SQL.
MetricFlow runs in its own virtualenv (.venv-metricflow from requirements-metricflow.lock, `make metricflow`).
`mf` reads target/semantic_manifest.json of the folder it runs in, so the test parses a copy of the project
and queries a copy of the warehouse (MetricFlow's dbt adapter opens it for writing).
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest

from conftest import REPO, copy_dbt_project

MF_VENV = REPO / ".venv-metricflow"
CENT = Decimal("0.01")

pytestmark = pytest.mark.slow


def run(cmd: list[str], cwd: Path, db: Path) -> str:
    env = {
        **os.environ,
        "ECOM_DUCKDB_PATH": str(db),
        "DO_NOT_TRACK": "1",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
        "MF_DISABLE_UPDATE_CHECK": "1",
    }
    result = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    output = f"{result.stdout[-4000:]}\n{result.stderr[-2000:]}"
    assert result.returncode == 0, f"{' '.join(cmd)} failed:\n{output}"
    return result.stdout


@pytest.fixture(scope="module")
def mf(shop_build, tmp_path_factory):
    """Runs `mf query` in a parsed copy of the project against a copy of the shop warehouse."""
    if not (MF_VENV / "bin" / "mf").exists():
        pytest.fail(
            f"MetricFlow is not installed in {MF_VENV}: run `make metricflow` (it creates the venv from "
            "requirements-metricflow.lock). The semantic-layer test does not skip.",
            pytrace=False,
        )
    base = tmp_path_factory.mktemp("semantic_layer")
    project = copy_dbt_project(base / "project")
    db = base / "warehouse.duckdb"
    shutil.copyfile(shop_build.db, db)
    run(
        [str(MF_VENV / "bin" / "dbt"), "parse", "--vars", f'{{"shop_raw_path": "{shop_build.raw}"}}'],
        cwd=project,
        db=db,
    )

    def query(metrics: list[str], group_by: list[str]) -> list[dict]:
        out = base / f"{'_'.join(metrics)}__{'_'.join(group_by)}.csv"
        run(
            [
                str(MF_VENV / "bin" / "mf"),
                "query",
                "--metrics",
                ",".join(metrics),
                "--group-by",
                ",".join(group_by),
                "--csv",
                str(out),
            ],
            cwd=project,
            db=db,
        )
        with open(out, newline="") as handle:
            return list(csv.DictReader(handle))

    return query


def cents(value) -> Decimal:
    return Decimal(str(value)).quantize(CENT)


def test_mf_monthly_revenue_equals_revenue_by_period(mf, shop_build):
    rows = mf(["revenue"], ["metric_time__month"])
    expected = {
        str(period_start): cents(revenue)
        for period_start, revenue in shop_build.query(
            "select period_start, revenue from marts.revenue_by_period where period_grain = 'month'"
        )
    }
    assert expected, "revenue_by_period has no month rows"
    got = {}
    for row in rows:
        month = row["metric_time__month"]
        if not month:
            # Lines that are neither a sale nor a return have no recognition date and carry no revenue.
            assert cents(row["revenue"] or 0) == 0, f"revenue outside any month: {row}"
            continue
        got[month[:10]] = cents(row["revenue"] or 0)
    assert sorted(got) == sorted(expected), (
        f"months only in mf: {sorted(set(got) - set(expected))[:5]}, "
        f"only in revenue_by_period: {sorted(set(expected) - set(got))[:5]}"
    )
    differ = {m: (got[m], expected[m]) for m in expected if got[m] != expected[m]}
    assert not differ, f"{len(differ)} months differ (mf, revenue_by_period), e.g. {list(differ.items())[:3]}"


def test_mf_dimensions_split_the_whole_revenue(mf, shop_build):
    """Category (a column of the lines) and segment (joined through the customer entity) split revenue;
    country too (the shop has none, so one empty country holds all of it; UCI invoices carry one)."""
    (total,) = shop_build.query(
        "select sum(revenue) from marts.revenue_by_period where period_grain = 'year'"
    )[0]
    for dimension, min_rows in [
        ("order_line__category", 2),
        ("customer__segment_name", 3),
        ("order_line__country", 1),
    ]:
        rows = mf(["revenue"], [dimension])
        assert len(rows) >= min_rows, f"revenue by {dimension} has {len(rows)} rows"
        assert sum(cents(r["revenue"] or 0) for r in rows) == cents(total), dimension
