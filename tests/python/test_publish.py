"""Publishing the marts for BI tools (src/ecom_analytics/publish.py).

Unit tests run on tiny hand-made DuckDB files. The concurrency test reads the published marts from a second
process in a loop while this process publishes, again and again, two different warehouses, and checks every
read saw one of the two complete states.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import pytest

from conftest import dbt
from ecom_analytics import publish as pub

REPO = Path(__file__).resolve().parents[2]

# Two complete states of schema marts, {table: rows}. B adds a table: the table SET must switch atomically.
STATE_A = {"fct_orders": 120, "item_rankings": 7}
STATE_B = {"fct_orders": 345, "item_rankings": 3, "segment_profiles": 5}


def make_warehouse(path: Path, state: dict[str, int], *, comments: bool = True) -> Path:
    """A tiny warehouse: schema marts with `state` tables, plus a staging table that must not be published."""
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        con.execute("create schema staging")
        con.execute("create table staging.stg_secret as select 'alice@example.com' as email_address")
        for table, rows in state.items():
            con.execute(
                f"create table marts.{table} as "
                f"select range::bigint as id, 'name ' || range as label, range * 1.5 as amount "
                f"from range({rows})"
            )
            if comments:
                con.execute(f"comment on table marts.{table} is 'The {table} mart.'")
                con.execute(f"comment on column marts.{table}.id is 'Key of {table}.'")
    return path


def table_rows(con: duckdb.DuckDBPyConnection, relation: str) -> list[tuple]:
    return con.execute(f"select * from {relation} order by all").fetchall()


def test_publish_exports_every_mart_and_switches_readers(tmp_path):
    db = make_warehouse(tmp_path / "warehouse.duckdb", STATE_A)
    out = tmp_path / "published"

    result = pub.publish(db, out)

    assert result.run_id == "r000001"
    assert result.tables == STATE_A
    current = out / "current"
    assert current.is_symlink()
    assert os.readlink(current) == "r000001", "the pointer is relative, so the folder can be moved as a whole"
    files = sorted(p.name for p in current.iterdir())
    assert files == ["_manifest.json", "fct_orders.parquet", "item_rankings.parquet"]
    manifest = json.loads((current / "_manifest.json").read_text())
    assert {t: v["rows"] for t, v in manifest["tables"].items()} == STATE_A

    with duckdb.connect(str(db), read_only=True) as src, duckdb.connect() as mem:
        for table in STATE_A:
            expected = table_rows(src, f"marts.{table}")
            assert table_rows(mem, f"read_parquet('{current / (table + '.parquet')}')") == expected

    published_db = out / "marts.duckdb"
    assert stat.S_IMODE(published_db.stat().st_mode) == 0o444
    assert not (out / "marts.duckdb.wal").exists()
    with (
        duckdb.connect(str(published_db), read_only=True) as con,
        duckdb.connect(str(db), read_only=True) as src,
    ):
        tables = con.execute(
            "select schema_name, table_name, comment from duckdb_tables() order by table_name"
        ).fetchall()
        # The file's catalog is `marts`, so `marts.<table>` reads as in the warehouse (tables in schema main).
        assert tables == [("main", t, f"The {t} mart.") for t in sorted(STATE_A)]
        assert con.execute(
            "select comment from duckdb_columns() where table_name = 'fct_orders' and column_name = 'id'"
        ).fetchone() == ("Key of fct_orders.",)
        for table in STATE_A:
            assert table_rows(con, f"marts.{table}") == table_rows(src, f"marts.{table}")
            # Types survive the Parquet round trip (BI tools see the same columns).
            assert (
                con.execute(f"describe marts.{table}").fetchall()
                == src.execute(f"describe marts.{table}").fetchall()
            )


def test_publish_keeps_the_last_two_runs(tmp_path):
    db = make_warehouse(tmp_path / "warehouse.duckdb", STATE_A)
    out = tmp_path / "published"
    results = [pub.publish(db, out) for _ in range(4)]

    assert [r.run_id for r in results] == ["r000001", "r000002", "r000003", "r000004"]
    assert results[2].deleted_runs == ["r000001"]
    assert pub.list_runs(out) == ["r000003", "r000004"]
    assert os.readlink(out / "current") == "r000004"
    # No temporary names left behind.
    assert sorted(p.name for p in out.iterdir() if p.name.startswith(".")) == [".publish.lock"]


def test_publish_failure_leaves_the_published_state_untouched(tmp_path, monkeypatch):
    db = make_warehouse(tmp_path / "warehouse.duckdb", STATE_A)
    out = tmp_path / "published"
    pub.publish(db, out)
    before = {p.name: p.stat().st_ino for p in out.iterdir()}

    def broken(*args, **kwargs):
        raise OSError("disk full (simulated)")

    monkeypatch.setattr(pub, "_build_duckdb", broken)
    with pytest.raises(OSError, match="simulated"):
        pub.publish(make_warehouse(tmp_path / "other.duckdb", STATE_B), out)

    assert {p.name: p.stat().st_ino for p in out.iterdir()} == before
    assert os.readlink(out / "current") == "r000001"
    with duckdb.connect(str(out / "marts.duckdb"), read_only=True) as con:
        assert con.execute("select count(*) from marts.fct_orders").fetchone() == (STATE_A["fct_orders"],)


def test_publish_cleans_leftovers_of_a_crashed_publish(tmp_path):
    db = make_warehouse(tmp_path / "warehouse.duckdb", STATE_A)
    out = tmp_path / "published"
    out.mkdir()
    (out / ".r000007.tmp").mkdir()
    (out / ".r000007.tmp" / "fct_orders.parquet").write_bytes(b"half a file")
    (out / ".r000007.tmp.marts.duckdb").write_bytes(b"half a database")

    pub.publish(db, out)

    assert sorted(p.name for p in out.iterdir()) == [".publish.lock", "current", "marts.duckdb", "r000001"]


def test_missing_database_is_a_clear_error(tmp_path, capsys):
    missing = tmp_path / "nope.duckdb"
    assert pub.main(["--database", str(missing), "--out", str(tmp_path / "published")]) == 2
    err = capsys.readouterr().err
    assert str(missing) in err and "no such database file" in err
    assert not (tmp_path / "published" / "current").exists()


def test_database_without_marts_is_a_clear_error(tmp_path):
    db = make_warehouse(tmp_path / "warehouse.duckdb", {})
    with pytest.raises(pub.PublishError, match=r"warehouse\.duckdb: schema 'marts' has no tables"):
        pub.publish(db, tmp_path / "published")


def test_not_a_database_is_a_clear_error(tmp_path):
    bogus = tmp_path / "warehouse.duckdb"
    bogus.write_text("this is not a database\n")
    with pytest.raises(pub.PublishError, match=r"warehouse\.duckdb: cannot open as a DuckDB database"):
        pub.publish(bogus, tmp_path / "published")


def test_publish_while_a_build_holds_the_warehouse_says_so(tmp_path):
    """A running `dbt build` holds DuckDB's write lock: publish explains instead of crashing, and readers of
    the published marts are not affected."""
    db = make_warehouse(tmp_path / "warehouse.duckdb", STATE_A)
    out = tmp_path / "published"
    pub.publish(db, out)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys; con = duckdb.connect(sys.argv[1]); print('locked', flush=True); "
            "sys.stdin.read()",
            str(db),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(pub.PublishError, match="locked by another process"):
            pub.publish(db, out)
        # Meanwhile BI tools are not locked out: the published copy reads fine during the "build".
        with duckdb.connect(str(out / "marts.duckdb"), read_only=True) as con:
            assert con.execute("select count(*) from marts.fct_orders").fetchone() == (STATE_A["fct_orders"],)
        parquet = out / "current" / "item_rankings.parquet"
        assert duckdb.sql(f"select count(*) from read_parquet('{parquet}')").fetchone() == (7,)
    finally:
        holder.stdin.close()
        holder.wait()


def test_cli_defaults_to_published_beside_the_database(tmp_path):
    db = make_warehouse(tmp_path / "warehouse.duckdb", STATE_A)
    result = subprocess.run(
        [sys.executable, "-m", "ecom_analytics.publish", "--database", str(db)],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO / "src")},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "published" / "current" / "fct_orders.parquet").exists()
    assert "2 marts (127 rows)" in result.stdout


# The second process: reads the published marts in a loop, one JSON line per iteration, until told to stop.
READER = textwrap.dedent(
    """
    import glob, json, os, sys, traceback
    import duckdb

    published, log_path, stop_path = sys.argv[1:4]
    with open(log_path, "a", buffering=1) as log:
        while not os.path.exists(stop_path):
            record = {}
            try:
                # BI tool 1: the read-only DuckDB file.
                with duckdb.connect(os.path.join(published, "marts.duckdb"), read_only=True) as con:
                    names = [r[0] for r in con.execute(
                        "select table_name from duckdb_tables() order by 1"
                    ).fetchall()]
                    record["duckdb"] = {
                        n: con.execute(f"select count(*) from marts.{n}").fetchone()[0] for n in names
                    }
                # BI tool 2: Parquet files, resolving the `current` pointer once.
                run_dir = os.path.realpath(os.path.join(published, "current"))
                with duckdb.connect() as mem:
                    record["parquet"] = {
                        os.path.basename(f)[: -len(".parquet")]: mem.execute(
                            "select count(*) from read_parquet(?)", [f]
                        ).fetchone()[0]
                        for f in sorted(glob.glob(os.path.join(run_dir, "*.parquet")))
                    }
            except Exception:
                record["error"] = traceback.format_exc()
            log.write(json.dumps(record) + "\\n")
    """
)


def _lines(path: Path) -> int:
    return path.read_text().count("\n") if path.exists() else 0


def _wait_for_reads(log: Path, at_least: int, reader: subprocess.Popen) -> None:
    """Block until the reader has logged `at_least` iterations (a hang guard, not a timing assertion)."""
    deadline = time.monotonic() + 300
    while _lines(log) < at_least:
        if reader.poll() is not None:
            raise AssertionError(f"the reader process died (exit {reader.returncode})")
        if time.monotonic() > deadline:
            raise AssertionError("the reader process made no progress for 5 minutes")
        time.sleep(0.01)


def test_readers_see_the_old_or_the_new_complete_marts_while_publishing(tmp_path):
    db_a = make_warehouse(tmp_path / "a.duckdb", STATE_A)
    db_b = make_warehouse(tmp_path / "b.duckdb", STATE_B)
    out = tmp_path / "published"
    log, stop = tmp_path / "reads.jsonl", tmp_path / "stop"
    pub.publish(db_a, out)

    reader = subprocess.Popen([sys.executable, "-c", READER, str(out), str(log), str(stop)])
    try:
        _wait_for_reads(log, 1, reader)
        for i in range(12):
            pub.publish(db_b if i % 2 == 0 else db_a, out)
            # Let the read that overlapped this switch finish, and one more start after it, before the next
            # publish: a reader that resolved `current` just before a switch still finds its folder (keep=2).
            _wait_for_reads(log, _lines(log) + 2, reader)
    finally:
        stop.touch()
        reader.wait(timeout=300)

    records = [json.loads(line) for line in log.read_text().splitlines()]
    errors = [r["error"] for r in records if "error" in r]
    assert not errors, f"{len(errors)} of {len(records)} reads failed, first:\n{errors[0]}"
    for kind in ("duckdb", "parquet"):
        seen = [r[kind] for r in records]
        partial = [s for s in seen if s not in (STATE_A, STATE_B)]
        assert not partial, f"{kind} readers saw {len(partial)} partial states, e.g. {partial[0]}"
        # The loop really ran across switches: both states were observed.
        assert STATE_A in seen and STATE_B in seen, f"{kind} readers never saw both states"
    assert len(pub.list_runs(out)) == 2


def _mart_row_counts(db: Path) -> dict[str, int]:
    with duckdb.connect(str(db), read_only=True) as con:
        sql = "select table_name from duckdb_tables() where schema_name = 'marts'"
        names = [r[0] for r in con.execute(sql).fetchall()]
        return {n: con.execute(f"select count(*) from marts.{n}").fetchone()[0] for n in sorted(names)}


@pytest.mark.slow
def test_readers_see_complete_marts_while_a_real_dbt_build_runs(shop_build, tmp_path):
    """The real thing: a `dbt run` rewrites a mart in the warehouse and is then published, while a second
    process reads the published marts; every read sees the complete old set or the complete new one."""
    db = tmp_path / "warehouse.duckdb"
    db.write_bytes(shop_build.db.read_bytes())
    out = tmp_path / "published"
    pub.publish(db, out)
    state_old = _mart_row_counts(db)
    log, stop = tmp_path / "reads.jsonl", tmp_path / "stop"
    reader = subprocess.Popen([sys.executable, "-c", READER, str(out), str(log), str(stop)])
    try:
        _wait_for_reads(log, 1, reader)
        # An earlier reference date makes customer_rfm a smaller snapshot: the new state differs from the old.
        dbt(
            ["run", "--select", "customer_rfm"],
            db=db,
            target=tmp_path / "target",
            dbt_vars={"shop_raw_path": str(shop_build.raw), "as_of_date": "2016-01-01"},
        )
        reads_during_build = _lines(log)
        state_new = _mart_row_counts(db)
        pub.publish(db, out)
        _wait_for_reads(log, _lines(log) + 2, reader)
    finally:
        stop.touch()
        reader.wait(timeout=300)

    assert state_new["customer_rfm"] < state_old["customer_rfm"]
    assert reads_during_build > 1
    records = [json.loads(line) for line in log.read_text().splitlines()]
    errors = [r["error"] for r in records if "error" in r]
    assert not errors, f"{len(errors)} of {len(records)} reads failed, first:\n{errors[0]}"
    for kind in ("duckdb", "parquet"):
        seen = [r[kind] for r in records]
        partial = [s for s in seen if s not in (state_old, state_new)]
        assert not partial, f"{kind} readers saw {len(partial)} partial states, e.g. {partial[0]}"
        assert state_old in seen and state_new in seen, f"{kind} readers never saw both states"


# A BI tool's pooled connection: opened once on the published DuckDB file and held while publishes replace it.
HELD_READER = textwrap.dedent(
    """
    import json, os, sys, traceback
    import duckdb

    published, log_path, stop_path = sys.argv[1:4]
    # A small buffer pool, so that reads go back to the file instead of blocks cached at the first read.
    con = duckdb.connect(
        os.path.join(published, "marts.duckdb"), read_only=True, config={"memory_limit": "1MB"}
    )
    with open(log_path, "a", buffering=1) as log:
        while not os.path.exists(stop_path):
            record = {}
            try:
                names = [r[0] for r in con.execute(
                    "select table_name from duckdb_tables() order by 1"
                ).fetchall()]
                record["duckdb"] = {
                    n: con.execute(f"select count(*) from marts.{n}").fetchone()[0] for n in names
                }
                # The data itself, not only the row counts of the catalog.
                record["ids"] = {
                    n: con.execute(f"select sum(id) from marts.{n}").fetchone()[0] for n in names
                }
            except Exception:
                record["error"] = traceback.format_exc()
            log.write(json.dumps(record) + "\\n")
    con.close()
    """
)


def test_a_held_connection_keeps_its_complete_set_across_publishes(tmp_path):
    """The readers above connect for every read; a BI tool's connection pool instead holds one connection. It
    keeps reading the complete set it opened while newer publishes replace the file (never an error, never a
    mix), and a new connection sees the newest set."""
    db_a = make_warehouse(tmp_path / "a.duckdb", STATE_A)
    db_b = make_warehouse(tmp_path / "b.duckdb", STATE_B)
    out = tmp_path / "published"
    log, stop = tmp_path / "reads.jsonl", tmp_path / "stop"
    pub.publish(db_a, out)

    reader = subprocess.Popen([sys.executable, "-c", HELD_READER, str(out), str(log), str(stop)])
    try:
        _wait_for_reads(log, 1, reader)
        for i in range(6):
            pub.publish(db_b if i % 2 == 0 else db_a, out)
            _wait_for_reads(log, _lines(log) + 2, reader)
    finally:
        stop.touch()
        reader.wait(timeout=300)

    records = [json.loads(line) for line in log.read_text().splitlines()]
    errors = [r["error"] for r in records if "error" in r]
    assert not errors, f"{len(errors)} of {len(records)} reads failed, first:\n{errors[0]}"
    assert len(records) > 12
    assert all(r["duckdb"] == STATE_A for r in records), "the held connection saw another set than it opened"
    ids_a = {table: rows * (rows - 1) // 2 for table, rows in STATE_A.items()}
    assert all(r["ids"] == ids_a for r in records), "the held connection read rows of another publish"
    # The last publish was db_a's, so check a new connection with B's set first, then the newest.
    pub.publish(db_b, out)
    with duckdb.connect(str(out / "marts.duckdb"), read_only=True) as con:
        names = [r[0] for r in con.execute("select table_name from duckdb_tables() order by 1").fetchall()]
        assert {n: con.execute(f"select count(*) from marts.{n}").fetchone()[0] for n in names} == STATE_B
