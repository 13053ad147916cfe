"""The run history (macros/audit/record_run_results.sql): every dbt run records its nodes in
audit.run_results, and the data-quality marts' failing tests keep their failing rows in schema audit (never
published).

The failure test copies the shop warehouse, breaks the orders total of marts.data_quality_summary on purpose
and runs `dbt test` on it: the README's "what failed in the last run" query then finds the failed test, and
the rows it points at are that total.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from conftest import dbt
from ecom_analytics import publish

pytestmark = pytest.mark.slow

# The queries of README "What failed in the last run".
LAST_RUN_FAILURES = """
    select node_name, status, failures, failures_relation
    from audit.run_results
    where invocation_id = (
        select invocation_id from audit.run_results order by run_started_at desc limit 1
    )
        and status in ('fail', 'error', 'warn')
    order by node_name
"""


def test_the_build_records_every_node(shop_build):
    # The last full build of this warehouse (later tests may run other commands on copies of it).
    (invocation,) = shop_build.query(
        "select invocation_id from audit.run_results where command = 'build' "
        "order by run_started_at desc limit 1"
    )[0]
    rows = shop_build.query(
        "select resource_type, node_name, status, row_count, execution_seconds from audit.run_results "
        "where invocation_id = ?",
        [invocation],
    )
    by_name = {name: (kind, status, count, seconds) for kind, name, status, count, seconds in rows}
    kind, status, count, seconds = by_name["fct_orders"]
    assert (kind, status) == ("model", "success")
    assert count == shop_build.query("select count(*) from marts.fct_orders")[0][0]
    assert seconds >= 0
    statuses = {(k, s) for k, s, _, _ in by_name.values()}
    assert statuses <= {
        ("model", "success"),
        ("seed", "success"),
        ("test", "pass"),
        ("unit_test", "pass"),
        ("exposure", "no-op"),
    }, statuses
    tests = [n for n, (k, *_) in by_name.items() if k == "test"]
    assert len(tests) > 50, f"only {len(tests)} tests recorded"


def test_a_failing_test_leaves_its_rows_in_audit(shop_build, tmp_path):
    db = tmp_path / "warehouse.duckdb"
    shutil.copyfile(shop_build.db, db)
    with duckdb.connect(str(db)) as con:
        con.execute(
            "update marts.data_quality_summary set quarantined_rows = quarantined_rows + 1 "
            "where source_table = 'orders' and reason_code = '_total'"
        )

    result = dbt(
        ["test", "--select", "data_quality_summary"],
        db=db,
        target=tmp_path / "target",
        dbt_vars={"shop_raw_path": str(shop_build.raw)},
        check=False,
    )
    assert result.returncode != 0, "dbt test passed on a summary that loses a row"

    with duckdb.connect(str(db), read_only=True) as con:
        failed = {name: rest for name, *rest in con.execute(LAST_RUN_FAILURES).fetchall()}
        conserved = [name for name in failed if name.startswith("rows_conserved_data_quality_summary")]
        assert len(conserved) == 1, failed
        status, failures, relation = failed[conserved[0]]
        assert (status, failures) == ("fail", 1) and relation, failed
        # The stored failing rows: the broken total row, whole.
        stored = con.execute(f"select source_table, reason_code from {relation}").fetchall()
        assert stored == [("orders", "_total")]


def test_audit_is_never_published(shop_build, tmp_path):
    with duckdb.connect(str(shop_build.db), read_only=True) as con:
        sql = "select count(*) from duckdb_tables() where schema_name = 'audit'"
        audit_tables = con.execute(sql).fetchone()
    assert audit_tables[0] > 1, "the build left no audit tables to leave behind"
    result = publish.publish(shop_build.db, tmp_path / "published")
    assert "run_results" not in result.tables
    with duckdb.connect(str(Path(result.duckdb_path)), read_only=True) as con:
        names = {r[0] for r in con.execute("select table_name from duckdb_tables()").fetchall()}
    assert names == set(result.tables)
    assert not any(name.startswith(("unique_", "not_null_", "relationships_")) for name in names), names
