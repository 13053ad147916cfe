"""The dbt Python models' code on a real local Spark: given Spark DataFrames of the same inputs, each model
returns the table dbt-duckdb built.

dbt runs Python models on Spark only on Databricks, which is not here. So each model file's own
`model(dbt, session)` is called with a local SparkSession and a `dbt` whose `ref()` returns Spark DataFrames
of the tables DuckDB built upstream; what it returns is compared with DuckDB's table like the SQL marts are.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
from pathlib import Path

import duckdb
import pytest
from engine_compare import EngineBuilds, compare

from conftest import REPO, run_dbt


class SparkDbt:
    """The part of dbt's Python-model object the models use: ref(), config() and config.meta_get()."""

    def __init__(self, tables: dict, meta: dict):
        self._tables = tables
        self.config = _Config(meta)

    def ref(self, name: str):
        return self._tables[name]


class _Config:
    def __init__(self, meta: dict):
        self._meta = meta

    def __call__(self, **_settings) -> None:
        """Materialization settings mean nothing outside dbt."""

    def meta_get(self, key: str):
        return self._meta.get(key)


def _load_model(path: Path):
    spec = importlib.util.spec_from_file_location(f"python_model_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.model


@pytest.fixture(scope="module")
def python_models(shop: EngineBuilds, spark) -> dict[str, list[str]]:
    """Each Python model run on Spark over DuckDB's inputs, and what differs from DuckDB's own table."""
    # the Python models and what reads them, left out of the engine comparison, on a copy of DuckDB's build
    folder = shop.duckdb.parent / "python_models"
    folder.mkdir()
    warehouse = folder / shop.duckdb.name
    shutil.copyfile(shop.duckdb, warehouse)
    run_dbt(
        ["build", "--select", "path:python_models+"], target_name="dev", folder=folder, dbt_vars=shop.dbt_vars
    )
    nodes = json.loads((folder / "target-dev" / "manifest.json").read_text())["nodes"]
    exchange = folder / "python_models_exchange"
    exchange.mkdir(exist_ok=True)
    found = {}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for node in nodes.values():
            if node["resource_type"] != "model" or node["language"] != "python":
                continue
            tables = {}
            for parent in (nodes[node_id] for node_id in node["depends_on"]["nodes"]):
                path = exchange / f"{parent['name']}.parquet"
                con.execute(
                    f'copy {parent["schema"]}."{parent["name"]}" to {_literal(path)} (format parquet)'
                )
                tables[parent["name"]] = spark.read.parquet(str(path))
            model = _load_model(REPO / node["original_file_path"])
            result = model(SparkDbt(tables, node["config"].get("meta", {})), spark)
            written = exchange / f"result_{node['name']}"
            result.coalesce(1).write.mode("overwrite").parquet(str(written))
            actual = f"read_parquet({_literal(written / '*.parquet')})"
            found[node["name"]] = compare(con, f'{node["schema"]}."{node["name"]}"', actual)
    return found


def _literal(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def test_every_python_model_ran_on_spark(python_models):
    files = {path.stem for path in (REPO / "python_models").rglob("*.py")}
    assert files and set(python_models) == files


def test_python_models_on_spark_equal_duckdb(python_models):
    differing = {name: problems for name, problems in python_models.items() if problems}
    assert not differing, differing
