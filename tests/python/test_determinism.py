"""Two builds of the same raw data give identical tables: every table of schemas intermediate and marts.

The second build runs into its own warehouse from the same raw files as the suite's shop build, without the
data tests (the suite's build ran them); each table is compared by a fingerprint of all its rows, taken in an
order that does not depend on how the table happens to be stored.
"""

from __future__ import annotations

import duckdb
import pytest

from conftest import dbt


def fingerprints(db) -> dict[str, tuple[int, str]]:
    with duckdb.connect(str(db), read_only=True) as con:
        tables = con.execute(
            "select schema_name, table_name from duckdb_tables() "
            "where schema_name in ('intermediate', 'marts') order by all"
        ).fetchall()
        return {
            f"{schema}.{table}": con.execute(
                "select count(*), md5(coalesce(string_agg(cast(t as varchar), '|' "
                f"order by cast(t as varchar)), '')) from {schema}.{table} as t"
            ).fetchone()
            for schema, table in tables
        }


@pytest.mark.slow
def test_two_builds_of_the_same_data_are_identical(shop_build, tmp_path):
    dbt(
        ["build", "--resource-type", "seed", "--resource-type", "model"],
        db=tmp_path / "warehouse.duckdb",
        target=tmp_path / "target",
        dbt_vars={"shop_raw_path": str(shop_build.raw)},
    )
    first, second = fingerprints(shop_build.db), fingerprints(tmp_path / "warehouse.duckdb")
    assert "marts.customer_segments" in first and "marts.customer_rfm" in first
    assert first.keys() == second.keys()
    differing = sorted(name for name in first if first[name] != second[name])
    assert not differing, f"tables that differ between two builds of the same data: {differing}"
