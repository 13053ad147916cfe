"""The SQL layer on Spark: every SQL mart equals the DuckDB build of the same data, and a landed month
rewrites only the partitions of the lookback window."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest
import yaml
from engine_compare import PARTITIONED_TABLES, EngineBuilds, compare, partition_files, spark_table

# the lookback window the builds ran with (the project's default; the test passes no other)
LATE_ARRIVAL_DAYS = yaml.safe_load((Path(__file__).parents[2] / "dbt_project.yml").read_text())["vars"][
    "late_arrival_days"
]


def sql_marts(manifest: dict) -> list[str]:
    """The SQL marts Spark built (the Python models and what reads them are off on Spark)."""
    return sorted(
        node["name"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["schema"] == "marts" and node["language"] == "sql"
    )


def differences(builds: EngineBuilds) -> dict[str, list[str]]:
    marts = sql_marts(builds.spark_manifest)
    with duckdb.connect(str(builds.duckdb), read_only=True) as con:
        built_by_duckdb = {
            name
            for (name,) in con.execute(
                "select table_name from information_schema.tables where table_schema = 'marts'"
            ).fetchall()
        }
        assert set(marts) == built_by_duckdb
        found = {
            mart: compare(con, f'marts."{mart}"', spark_table(builds.spark_warehouse, "marts", mart))
            for mart in marts
        }
    return {mart: problems for mart, problems in found.items() if problems}


def test_shop_marts_equal_duckdb(shop):
    assert differences(shop) == {}


def test_online_retail_marts_equal_duckdb(online_retail):
    assert differences(online_retail) == {}


@pytest.mark.parametrize("table", PARTITIONED_TABLES)
def test_landed_month_rewrites_only_the_lookback_window(shop, table):
    """insert_overwrite by landing day: partitions older than the lookback window keep their files (the
    identity-joined events too: the users and items snapshots did not change, so no old day is joined
    again)."""
    schema, name = table.split(".")
    after = partition_files(shop.spark_warehouse / f"{schema}.db" / name)
    before = shop.partitions_before_landing[table]
    assert shop.landed_month in after and shop.landed_month not in before
    latest_before = max(dt.date.fromisoformat(name.split("=")[1]) for name in before)
    lookback_start = latest_before - dt.timedelta(days=LATE_ARRIVAL_DAYS)
    kept = {name for name in before if dt.date.fromisoformat(name.split("=")[1]) < lookback_start}
    rewritten = set(before) - kept
    assert kept and rewritten
    assert all(after[name] == before[name] for name in kept)
    assert all(after[name].isdisjoint(before[name]) for name in rewritten)


def test_compare_finds_a_changed_cent():
    """The comparison fails on one cent off in one row, and on a missing row."""
    with duckdb.connect() as con:
        con.execute(
            "create table a as select i as id, cast(i / 100 as decimal(38, 3)) as amount from range(50) t(i)"
        )
        con.execute("create table b as select * from a")
        assert compare(con, "a", "b") == []
        con.execute("update b set amount = amount + 0.01 where id = 7")
        assert any("sum(amount)" in problem for problem in compare(con, "a", "b"))
        con.execute("delete from b where id = 7")
        assert any("rows" in problem for problem in compare(con, "a", "b"))
