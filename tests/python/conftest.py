"""Shared fixtures: run dbt in a subprocess against a throw-away warehouse, and read the result.

`make test` builds the generated shop data once (target `ci-build`) and points ECOM_TEST_SHOP_DIR at it,
so the suite reuses that warehouse; run alone, `pytest` builds its own copy at a small scale.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

REPO = Path(__file__).resolve().parents[2]
SHARED_DATA = REPO.parent / "shared" / "data"
REAL_ITEMS_CSV = SHARED_DATA / "case_study" / "items.csv"
REAL_ONLINE_RETAIL = SHARED_DATA / "online_retail" / "online_retail.csv.gz"
BIN = Path(sys.executable).parent


@dataclass(frozen=True)
class Build:
    """A built warehouse and the files it was built from."""

    db: Path
    raw: Path
    truth: Path
    target: Path

    def query(self, sql: str, params: list | None = None) -> list[tuple]:
        with duckdb.connect(str(self.db), read_only=True) as con:
            return con.execute(sql, params or []).fetchall()

    def df(self, sql: str):
        with duckdb.connect(str(self.db), read_only=True) as con:
            return con.execute(sql).df()


# DuckDB's names for the types the yml files declare in the names both engines read (docs/scaling_out.md).
DUCKDB_TYPE_NAMES = {"STRING": "VARCHAR"}


def duckdb_type(documented: str) -> str:
    """A documented data_type as DuckDB's describe writes it (`decimal(38, 3)` -> `DECIMAL(38,3)`)."""
    kind = documented.replace(" ", "").upper()
    return DUCKDB_TYPE_NAMES.get(kind, kind)


def dbt(
    args: list[str],
    *,
    db: Path,
    target: Path,
    dbt_vars: dict | None = None,
    check: bool = True,
) -> subprocess.CompletedProcess:
    """Run `dbt <args>` from the repository root on the warehouse `db`; output is captured."""
    env = {
        **os.environ,
        "ECOM_DUCKDB_PATH": str(db),
        "DBT_LOG_PATH": str(target / "logs"),
        "DO_NOT_TRACK": "1",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
        "PYTHONPATH": str(REPO / "src"),
    }
    cmd = [str(BIN / "dbt"), *args, "--target-path", str(target)]
    if dbt_vars:
        cmd += ["--vars", json.dumps(dbt_vars)]
    result = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True)
    if check and result.returncode != 0:
        output = f"{result.stdout[-6000:]}\n{result.stderr[-3000:]}"
        raise AssertionError(f"dbt {' '.join(args)} failed:\n{output}")
    return result


def generate_shop(out: Path, truth: Path, scale: float, seed: int = 42) -> None:
    subprocess.run(
        [
            str(BIN / "python"),
            "-m",
            "ecom_analytics.generator",
            "--scale",
            str(scale),
            "--seed",
            str(seed),
            "--out",
            str(out),
            "--truth",
            str(truth),
        ],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO / "src")},
        check=True,
        capture_output=True,
    )


def _shop_build_in(base: Path) -> Build:
    return Build(base / "warehouse.duckdb", base / "raw" / "shop", base / "truth" / "shop", base / "target")


@pytest.fixture(scope="session")
def shop_build(tmp_path_factory) -> Build:
    """The full shop build: reused from `make ci-build` when ECOM_TEST_SHOP_DIR is set, else built here."""
    ci_dir = os.environ.get("ECOM_TEST_SHOP_DIR")
    if ci_dir and (Path(ci_dir) / "warehouse.duckdb").exists():
        return _shop_build_in(Path(ci_dir).resolve())
    build = _shop_build_in(tmp_path_factory.mktemp("shop_build"))
    generate_shop(build.raw, build.truth, scale=float(os.environ.get("ECOM_TEST_SCALE", "0.2")))
    dbt(["build"], db=build.db, target=build.target, dbt_vars={"shop_raw_path": str(build.raw)})
    return build


@pytest.fixture(scope="session")
def online_retail_build(tmp_path_factory) -> Build:
    """The full build on the real UCI Online Retail file; skipped when ../shared/data does not have it."""
    if not REAL_ONLINE_RETAIL.exists():
        pytest.skip(f"real Online Retail file not present at {REAL_ONLINE_RETAIL}")
    base = tmp_path_factory.mktemp("online_retail_build")
    build = Build(base / "warehouse.duckdb", REAL_ONLINE_RETAIL, base / "truth", base / "target")
    dbt(
        ["build"],
        db=build.db,
        target=build.target,
        dbt_vars={"source_system": "online_retail", "online_retail_csv": str(REAL_ONLINE_RETAIL)},
    )
    return build


# What `dbt parse` and `mf` read from the repository; data, targets and virtualenvs stay behind.
DBT_PROJECT_PARTS = (
    "dbt_project.yml",
    "profiles.yml",
    "models",
    "python_models",
    "macros",
    "seeds",
    "tests",
    "analyses",
)


def copy_dbt_project(dest: Path) -> Path:
    """A copy of the dbt project in `dest`, to parse with changes or with its own target/ folder."""
    dest.mkdir(parents=True)
    for part in DBT_PROJECT_PARTS:
        source = REPO / part
        if source.is_dir():
            shutil.copytree(source, dest / part, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, dest / part)
    return dest
