"""Every custom generic test in tests/generic/ can fail: it passes on tiny good data and fails once a row is
dropped, duplicated or corrupted on purpose.

A throw-away dbt project in tmp_path holds a copy of the repository's tests/generic/*.sql (the real macros)
and of the macro file they call (row_fingerprint), one tiny seed per test and a yml applying each test the way
the project's models do. `dbt build` runs on the good seeds, the seeds are broken, and `dbt build` runs again.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest

from conftest import BIN, REPO

GENERIC = REPO / "tests" / "generic"

# seed name: (good rows, broken rows); the header is the first line of each
SEEDS = {
    "ledger_identity": (
        "revenue,returns,net\n10,2,8\n5,0,5\n",
        "revenue,returns,net\n10,2,8\n5,0,6\n",  # corrupted: net is not revenue - returns
    ),
    "issue_rows": (
        "source_table,action\norders,quarantined\norders,quarantined\norders,kept_flagged\nevents,quarantined\n",
        "source_table,action\norders,quarantined\norders,kept_flagged\nevents,quarantined\n",  # one dropped
    ),
    "issue_counts": (
        "source_table,quarantined_rows\norders,2\nevents,1\n",
        "source_table,quarantined_rows\norders,2\nevents,1\n",
    ),
    "row_ledger": (
        "source_table,raw_rows,clean_rows,quarantined_rows\norders,10,8,2\nevents,5,5,0\n",
        "source_table,raw_rows,clean_rows,quarantined_rows\norders,10,7,2\nevents,5,5,0\n",  # a row lost
    ),
    "grain": (
        "customer_id,period\n1,2018-01\n1,2018-02\n2,2018-01\n",
        "customer_id,period\n1,2018-01\n1,2018-02\n2,2018-01\n1,2018-02\n",  # a row duplicated
    ),
    "bounded": (
        "id,share\n1,0\n2,0.5\n3,1\n",
        "id,share\n1,0\n2,1.5\n3,1\n",  # corrupted: out of [0, 1]
    ),
}

# generic test: (the seed it checks, the yml block applying it to that seed)
CASES = {
    "expression_holds": (
        "ledger_identity",
        """
        data_tests:
          - expression_holds:
              arguments:
                expression: "net = revenue - returns"
        """,
    ),
    "quarantine_reported": (
        "issue_rows",
        """
        data_tests:
          - quarantine_reported:
              arguments:
                row_counts: ref('issue_counts')
        """,
    ),
    "rows_conserved": ("row_ledger", "data_tests:\n  - rows_conserved\n"),
    "unique_combination": (
        "grain",
        """
        data_tests:
          - unique_combination:
              arguments:
                columns: [customer_id, period]
        """,
    ),
    "value_between": (
        "bounded",
        """
        columns:
          - name: share
            data_tests:
              - value_between:
                  arguments:
                    min_value: 0
                    max_value: 1
        """,
    ),
}


def _project(base: Path) -> Path:
    project = base / "project"
    (project / "tests" / "generic").mkdir(parents=True)
    (project / "seeds").mkdir()
    for macro in GENERIC.glob("*.sql"):
        shutil.copy(macro, project / "tests" / "generic" / macro.name)
    (project / "macros").mkdir()
    shutil.copy(REPO / "macros" / "raw_files" / "raw_files.sql", project / "macros" / "raw_files.sql")
    (project / "dbt_project.yml").write_text(
        "name: generic_tests_probe\nversion: '1.0'\nconfig-version: 2\nprofile: probe\n"
        "seed-paths: [seeds]\ntest-paths: [tests]\nmacro-paths: [macros]\n"
    )
    (project / "profiles.yml").write_text(
        "probe:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n"
        f"      path: '{base / 'probe.duckdb'}'\n      threads: 1\n"
    )
    entries = []
    for seed, block in CASES.values():
        body = textwrap.indent(textwrap.dedent(block).strip(), "    ")
        entries.append(f"  - name: {seed}\n{body}\n")
    (project / "seeds" / "_seeds.yml").write_text("version: 2\n\nseeds:\n" + "".join(entries))
    return project


def _write_seeds(project: Path, which: int) -> None:
    for seed, versions in SEEDS.items():
        (project / "seeds" / f"{seed}.csv").write_text(versions[which])


def _build(project: Path, base: Path, name: str) -> tuple[dict[str, str], str]:
    """({generic test name: status}, output) of `dbt build` on the probe project."""
    target = base / name
    env = {
        **os.environ,
        "DBT_LOG_PATH": str(target / "logs"),
        "DO_NOT_TRACK": "1",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
    }
    result = subprocess.run(
        [
            *(str(BIN / "dbt"), "build", "--project-dir", str(project)),
            *("--profiles-dir", str(project), "--target-path", str(target)),
        ],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
    )
    output = result.stdout + result.stderr
    manifest = json.loads((target / "manifest.json").read_text())
    statuses = {}
    for row in json.loads((target / "run_results.json").read_text())["results"]:
        node = manifest["nodes"][row["unique_id"]]
        if node["resource_type"] == "test":
            statuses[node["test_metadata"]["name"]] = row["status"]
    return statuses, output


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, tuple[dict[str, str], str]]:
    base = tmp_path_factory.mktemp("generic_tests")
    project = _project(base)
    _write_seeds(project, 0)
    good = _build(project, base, "good")
    _write_seeds(project, 1)
    broken = _build(project, base, "broken")
    return {"good": good, "broken": broken}


def test_every_generic_test_has_a_case():
    names = {path.stem.removeprefix("test_") for path in GENERIC.glob("test_*.sql")}
    assert names == set(CASES), f"generic tests without a case here: {sorted(names - set(CASES))}"


@pytest.mark.slow
@pytest.mark.parametrize("test_name", sorted(CASES))
def test_generic_test_passes_on_good_data_and_fails_on_broken(runs, test_name):
    good, good_output = runs["good"]
    broken, broken_output = runs["broken"]
    assert good.get(test_name) == "pass", good_output[-3000:]
    assert broken.get(test_name) == "fail", broken_output[-3000:]
