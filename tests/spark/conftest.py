"""Builds for the Spark checks (`make test-spark`): the same data built by DuckDB and by Spark.

The shop is generated with one partition per landing month; Spark builds the incremental models over every
month but the last, the last lands, and Spark builds everything (the incremental models incrementally); DuckDB
builds the same nodes once. The UCI fixture file is built by
both. Each Spark build has its own folder (warehouse, metastore) under ECOM_SPARK_TEST_DIR.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from engine_compare import PARTITIONED_TABLES, EngineBuilds, partition_files

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
SCALE = os.environ.get("ECOM_SPARK_TEST_SCALE", "0.02")
# DuckDB builds what Spark builds: the Python models and what reads them are off on Spark
DUCKDB_SAME_NODES = ["--exclude", "path:python_models+"]
INCREMENTAL_CHAIN = ["+stg_shop__orders", "+int_shop__events"]


def run_dbt(args: list[str], *, target_name: str, folder: Path, dbt_vars: dict) -> None:
    env = {
        **os.environ,
        "ECOM_DUCKDB_PATH": str(folder / "warehouse.duckdb"),
        "ECOM_SPARK_DIR": str(folder / "spark"),
        "DBT_LOG_PATH": str(folder / f"logs-{target_name}"),
        "DO_NOT_TRACK": "1",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
        "PYTHONPATH": str(REPO / "src"),
    }
    target_path = folder / f"target-{target_name}"
    command = [str(BIN / "dbt"), *args, "--target", target_name, "--target-path", str(target_path)]
    command += ["--vars", json.dumps(dbt_vars)]
    result = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        lines = [line for line in result.stdout.splitlines() if not line.startswith('{"ts"')]
        raise AssertionError(
            f"dbt {' '.join(args)} --target {target_name} failed:\n" + "\n".join(lines[-80:])
        )


def build_both(folder: Path, dbt_vars: dict, **landing) -> EngineBuilds:
    """`dbt build` on Spark, then the same nodes on DuckDB, in `folder`."""
    run_dbt(["build"], target_name="spark", folder=folder, dbt_vars=dbt_vars)
    run_dbt(["build", *DUCKDB_SAME_NODES], target_name="dev", folder=folder, dbt_vars=dbt_vars)
    return EngineBuilds(
        duckdb=folder / "warehouse.duckdb",
        spark_warehouse=folder / "spark" / "warehouse",
        spark_manifest=json.loads((folder / "target-spark" / "manifest.json").read_text()),
        dbt_vars=dbt_vars,
        **landing,
    )


def _python(args: list[str]) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    subprocess.run([str(BIN / "python"), *args], cwd=REPO, env=env, check=True, capture_output=True)


@pytest.fixture(scope="session")
def base() -> Path:
    folder = Path(os.environ.get("ECOM_SPARK_TEST_DIR", REPO / "data" / "spark-test")).resolve()
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


@pytest.fixture(scope="session")
def spark(base: Path):
    """A local SparkSession in this process, for code that takes a Spark DataFrame."""
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[1]")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "1")
        .config("spark.sql.session.timeZone", "UTC")
        # pandas conversions through Arrow, as on Databricks, with no silent fallback to row by row
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.sql.execution.arrow.pyspark.fallback.enabled", "false")
        .config("spark.sql.warehouse.dir", str(base / "local-session-warehouse"))
        .getOrCreate()
    )
    yield session
    session.stop()


@pytest.fixture(scope="session")
def shop(base: Path) -> EngineBuilds:
    folder = base / "shop"
    raw = folder / "shop's raw"  # a quote and a space: the path is quoted on both engines
    _python(
        [
            "-m",
            "ecom_analytics.generator",
            "--scale",
            SCALE,
            "--layout",
            "monthly",
            "--quiet",
            "--out",
            str(raw),
            "--truth",
            str(folder / "truth"),
        ]
    )
    dbt_vars = {"source_system": "shop", "shop_raw_path": str(raw)}
    # hold the last landing month back, build, then let it land
    months = sorted({p.name for p in raw.glob("*/landed_on=*")})
    landed_month = months[-1]
    held = folder / "held"
    for partition in list(raw.glob(f"*/{landed_month}")):
        (held / partition.parent.name).mkdir(parents=True, exist_ok=True)
        shutil.move(partition, held / partition.parent.name / partition.name)
    # the incremental tables and what they read, without tests: the build after the landing builds and tests
    # everything, the incremental tables incrementally
    run_dbt(
        ["build", "--resource-type", "seed", "--resource-type", "model", "--select", *INCREMENTAL_CHAIN],
        target_name="spark",
        folder=folder,
        dbt_vars=dbt_vars,
    )
    warehouse = folder / "spark" / "warehouse"
    before = {
        table: partition_files(warehouse / f"{table.split('.')[0]}.db" / table.split(".")[1])
        for table in PARTITIONED_TABLES
    }
    for partition in list(held.glob("*/landed_on=*")):
        shutil.move(partition, raw / partition.parent.name / partition.name)
    return build_both(folder, dbt_vars, partitions_before_landing=before, landed_month=landed_month)


@pytest.fixture(scope="session")
def online_retail(base: Path) -> EngineBuilds:
    folder = base / "online_retail"
    csv = folder / "online_retail.csv"
    folder.mkdir()
    _python(["-m", "ecom_analytics.fixtures.online_retail", str(csv)])
    dbt_vars = {"source_system": "online_retail", "online_retail_csv": str(csv)}
    return build_both(folder, dbt_vars)
