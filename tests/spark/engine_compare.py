"""Compare a mart built by DuckDB with the same mart built by Spark, in DuckDB.

Spark writes its tables as Parquet under its warehouse folder (`<schema>.db/<table>/`), which DuckDB reads
directly: no Spark session is needed to check what Spark built.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

# incremental tables whose partitions a landed month may rewrite only inside the lookback window
PARTITIONED_TABLES = ("staging.stg_shop__orders", "intermediate.int_shop__events")


@dataclass(frozen=True)
class EngineBuilds:
    """One dataset built by both engines, and for the shop what the landed month changed."""

    duckdb: Path
    spark_warehouse: Path
    spark_manifest: dict
    dbt_vars: dict
    # "schema.table" -> partition -> its Parquet files, before the landed month
    partitions_before_landing: dict[str, dict[str, set[str]]] | None = None
    landed_month: str | None = None


def partition_files(table_folder: Path) -> dict[str, set[str]]:
    """The Parquet files of each partition of a Spark table (a rewritten partition gets new file names)."""
    return {
        partition.name: {file.name for file in partition.glob("*.parquet")}
        for partition in sorted(table_folder.glob("landed_on=*"))
    }


NUMERIC = ("DECIMAL", "DOUBLE", "FLOAT", "REAL", "BIGINT", "INTEGER", "SMALLINT", "TINYINT", "HUGEINT")
# A double computed by two engines may differ in its last bits (another order of the same sum).
DOUBLE_DIGITS = 9


def spark_table(warehouse: Path, schema: str, table: str) -> str:
    """A DuckDB expression reading the Parquet files of a Spark table."""
    path = str(warehouse / f"{schema}.db" / table / "**" / "*.parquet").replace("'", "''")
    return f"read_parquet('{path}', hive_partitioning = true)"


def _columns(con: duckdb.DuckDBPyConnection, relation: str) -> dict[str, str]:
    return {name: kind for name, kind, *_ in con.execute(f"describe select * from {relation}").fetchall()}


def _normalized(column: str, kind: str) -> str:
    quoted = f'"{column}"'
    if kind in ("DOUBLE", "FLOAT", "REAL"):
        return f"round({quoted}, {DOUBLE_DIGITS}) as {quoted}"
    return quoted


def compare(con: duckdb.DuckDBPyConnection, expected: str, actual: str) -> list[str]:
    """What differs between two relations: columns, row count, each numeric column's sum, and the rows.

    Decimals (money) must add up to the same cent; doubles agree to DOUBLE_DIGITS decimals.
    """
    expected_columns = _columns(con, expected)
    actual_columns = _columns(con, actual)
    if sorted(expected_columns) != sorted(actual_columns):
        return [f"columns differ: {sorted(expected_columns)} vs {sorted(actual_columns)}"]
    problems = []
    expected_rows, actual_rows = (
        con.execute(f"select count(*) from {r}").fetchone()[0] for r in (expected, actual)
    )
    if expected_rows != actual_rows:
        problems.append(f"{expected_rows} rows vs {actual_rows}")
    for column, kind in expected_columns.items():
        if not kind.startswith(NUMERIC):
            continue
        total = (
            f'sum("{column}")'
            if not kind.startswith(("DOUBLE", "FLOAT", "REAL"))
            else f'round(sum("{column}"), 6)'
        )
        sums = [con.execute(f"select {total} from {r}").fetchone()[0] for r in (expected, actual)]
        if sums[0] != sums[1]:
            problems.append(f"sum({column}) {sums[0]} vs {sums[1]}")
    select = ", ".join(_normalized(column, kind) for column, kind in expected_columns.items())
    for label, left, right in (("only in DuckDB", expected, actual), ("only in Spark", actual, expected)):
        rows = con.execute(
            f"select * from (select {select} from {left} except all select {select} from {right}) limit 3"
        ).fetchall()
        if rows:
            problems.append(f"{label}: {rows}")
    return problems
