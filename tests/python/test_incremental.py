"""Incremental builds over raw data that lands as one file per day give the same tables as a full build.

The generator writes the shop in the daily layout; the warehouse is built without the last landing day,
then that day lands and `dbt build` runs again, incrementally. Every table of that warehouse must equal the
tables of a fresh build of all files, and the incremental models must have read only the files of the
late-arrival window.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import duckdb
import pytest

from conftest import BIN, REPO, dbt

INCREMENTAL_MODELS = ["int_shop__events_folded", "int_shop__orders_deduplicated", "int_shop__landed_files"]
LATE_ARRIVAL_DAYS = 3  # dbt_project.yml


def _generate_daily(out: Path, truth: Path, scale: float) -> None:
    subprocess.run(
        [
            *(str(BIN / "python"), "-m", "ecom_analytics.generator", "--scale", str(scale)),
            *("--layout", "daily", "--out", str(out), "--truth", str(truth), "--quiet"),
        ],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO / "src")},
        check=True,
    )


def _landing_day(path: Path) -> dt.date | None:
    match = re.search(r"_(\d{4}-\d{2}-\d{2})\.csv$", path.name)
    return dt.date.fromisoformat(match.group(1)) if match else None


def _later_batches(target: Path) -> list[list[str]]:
    """The batches after the first that the event fold's compiled query lists (first_landed_batch_filter)."""
    compiled = next((target / "compiled").rglob("int_shop__events_folded.sql")).read_text()
    return json.loads(re.search(r"/\* later landed batches: (\[.*?\]) \*/", compiled, re.DOTALL).group(1))


def _tables(db: Path) -> list[tuple[str, str]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(
            # Schema audit is run metadata (the run history differs between any two runs), not data.
            "select schema_name, table_name from duckdb_tables()"
            " where database_name = 'warehouse' and schema_name <> 'audit' order by all"
        ).fetchall()


def _differences(db_a: Path, db_b: Path) -> list[str]:
    """Tables whose rows differ (as multisets) between two warehouses, with the row counts each way."""
    out = []
    with duckdb.connect() as con:
        con.execute(f"attach '{db_a}' as a (read_only)")
        con.execute(f"attach '{db_b}' as b (read_only)")
        for schema, table in _tables(db_a):
            a, b = f'a."{schema}"."{table}"', f'b."{schema}"."{table}"'
            only_a = con.execute(
                f"select count(*) from (select * from {a} except all select * from {b})"
            ).fetchone()
            only_b = con.execute(
                f"select count(*) from (select * from {b} except all select * from {a})"
            ).fetchone()
            if only_a[0] or only_b[0]:
                out.append(f"{schema}.{table}: {only_a[0]} rows only incremental, {only_b[0]} only full")
    return out


@pytest.fixture(scope="module")
def incremental_and_full(tmp_path_factory):
    """(incremental warehouse, full warehouse, raw folder, incremental run's target, the appended day)."""
    base = tmp_path_factory.mktemp("incremental")
    # a folder name may hold spaces and parentheses: the first build's batch-by-batch fold must still find the
    # list of files in its compiled query (insert_later_landed_batches)
    all_raw, truth = base / "all raw (landed)", base / "truth"
    _generate_daily(all_raw, truth, scale=float(os.environ.get("ECOM_TEST_INCREMENTAL_SCALE", "0.2")))
    last_day = max(d for d in map(_landing_day, all_raw.glob("*_*.csv")) if d)

    raw = base / "raw"
    raw.mkdir()
    held_back = []
    for path in all_raw.iterdir():
        if _landing_day(path) == last_day:
            held_back.append(path)
        else:
            shutil.copy(path, raw / path.name)
    assert {p.name.split("_")[0] for p in held_back} == {"orders", "events"}

    inc_db, inc_target = base / "inc" / "warehouse.duckdb", base / "inc_target"
    inc_db.parent.mkdir()
    # batches of 1 MB: the first build folds the events in about a dozen statements, the full build below in
    # one, and the two must agree
    dbt_vars = {"shop_raw_path": str(raw), "landed_batch_mb": 1}
    dbt(["build"], db=inc_db, target=inc_target, dbt_vars=dbt_vars)
    assert len(_later_batches(inc_target)) > 3
    for path in held_back:  # the last day lands
        shutil.copy(path, raw / path.name)
    dbt(["build"], db=inc_db, target=inc_target, dbt_vars=dbt_vars)

    full_db = base / "full" / "warehouse.duckdb"
    full_db.parent.mkdir()
    dbt(["build"], db=full_db, target=base / "full_target", dbt_vars={"shop_raw_path": str(all_raw)})
    return inc_db, full_db, raw, inc_target, last_day


@pytest.mark.slow
def test_incremental_build_equals_full_build(incremental_and_full):
    inc_db, full_db, *_ = incremental_and_full
    assert _tables(inc_db) == _tables(full_db)
    assert len(_tables(inc_db)) > 30
    assert _differences(inc_db, full_db) == []


@pytest.mark.slow
@pytest.mark.parametrize("model", INCREMENTAL_MODELS)
def test_incremental_run_reads_only_the_late_arrival_window(incremental_and_full, model):
    inc_db, _, raw, inc_target, last_day = incremental_and_full
    compiled = next((inc_target / "compiled").rglob(f"{model}.sql")).read_text()
    # the high-water mark before the last day landed was the day before it
    window_start = last_day - dt.timedelta(days=1 + LATE_ARRIVAL_DAYS)
    tables = (
        ["orders", "events"] if model == "int_shop__landed_files" else [model.split("__")[1].split("_")[0]]
    )
    expected = sorted(
        str(path)
        for table in tables
        for path in raw.glob(f"{table}_*.csv")
        if _landing_day(path) >= window_start
    )
    assert len(expected) == len(tables) * (LATE_ARRIVAL_DAYS + 2)
    listed = sorted(re.findall(r"'([^']+\.csv)'", compiled.split("source_path in (", 1)[1]))
    assert listed == expected

    # and DuckDB opens only those files, out of every landed file of the table
    with duckdb.connect(str(inc_db), read_only=True) as con:
        plan = "\n".join(row[1] for row in con.execute(f"explain analyze {compiled}").fetchall())
    files_read = [int(n) for n in re.findall(r"Total Files Read:[\s│]*(\d+)", plan)]
    assert sum(files_read) == len(expected), plan


@pytest.mark.slow
def test_a_file_outside_the_window_is_reported_not_skipped(incremental_and_full, tmp_path):
    """A file landing later than the window, or a read file that disappears, fails a test naming it."""
    inc_db, _, raw, _, _ = incremental_and_full
    work = tmp_path / "raw"
    shutil.copytree(raw, work)
    first = min(work.glob("events_*.csv"))
    first.rename(
        work / "events_2010-01-01.csv"
    )  # gone from its day, and landed long before the high-water mark
    db = tmp_path / "db" / "warehouse.duckdb"
    db.parent.mkdir()
    shutil.copy(inc_db, db)
    target = tmp_path / "target"
    result = dbt(
        ["test", "--select", "assert_shop_raw_files_loaded"],
        db=db,
        target=target,
        dbt_vars={"shop_raw_path": str(work)},
        check=False,
    )
    assert result.returncode != 0, result.stdout[-2000:]
    assert "Got 2 results" in result.stdout, result.stdout[-2000:]
    compiled = next((target / "compiled").rglob("assert_shop_raw_files_loaded.sql")).read_text()
    with duckdb.connect(str(db), read_only=True) as con:
        rows = dict((file, problem) for _, file, problem in con.execute(compiled).fetchall())
    assert rows == {
        "events_2010-01-01.csv": "on disk but never read: run dbt build --full-refresh",
        first.name: "read but no longer on disk",
    }


@pytest.mark.slow
def test_an_incremental_run_checks_the_headers_of_the_files_it_reads(incremental_and_full, tmp_path):
    """The header check reads the files of the late-arrival window, not every file ever landed; a full
    refresh, which reads every file, checks every header, and so does the check run on its own."""
    inc_db, _, raw, _, last_day = incremental_and_full
    window_start = last_day - dt.timedelta(days=LATE_ARRIVAL_DAYS)
    work = tmp_path / "raw"
    shutil.copytree(raw, work)
    old = min(work.glob("events_*.csv"))
    recent = max(p for p in work.glob("events_*.csv") if _landing_day(p) < last_day)
    assert _landing_day(old) < window_start <= _landing_day(recent)

    def staging_run(broken: Path, *args: str):
        original = broken.read_text()
        broken.write_text(original.replace("event_name,platform", "platform,event_name", 1))
        db = Path(tempfile.mkdtemp(dir=tmp_path)) / "warehouse.duckdb"
        shutil.copy(inc_db, db)
        try:
            return dbt(
                list(args) or ["run", "--select", "stg_shop__events"],
                db=db,
                target=db.parent / "target",
                dbt_vars={"shop_raw_path": str(work)},
                check=False,
            )
        finally:
            broken.write_text(original)

    # a file the incremental models will read again: its header is checked
    result = staging_run(recent)
    assert result.returncode != 0 and f"{recent}: wrong header" in result.stdout, result.stdout[-2000:]
    # a file loaded long ago is not read again, so its text is not read either
    result = staging_run(old)
    assert result.returncode == 0, result.stdout[-2000:]
    # a full refresh reads every file again, and checks every header; so does the check on its own
    for args in (
        ["run", "--select", "stg_shop__events", "--full-refresh"],
        ["run-operation", "check_shop_raw_files"],
    ):
        result = staging_run(old, *args)
        assert result.returncode != 0 and f"{old}: wrong header" in result.stdout, result.stdout[-2000:]


def _rewrite_users(users_csv: Path, changes: dict[str, dict[str, str]]) -> None:
    """Set columns of users.csv rows by id ({id: {column: value}}), as a new users snapshot would."""
    lines = users_csv.read_text().splitlines()
    header = lines[0].split(",")
    out = [lines[0]]
    for line in lines[1:]:
        values = line.split(",")
        row_id = values[header.index("id")]
        for column, value in changes.get(row_id, {}).items():
            values[header.index(column)] = value
        out.append(",".join(values))
    users_csv.write_text("\n".join(out) + "\n")


def _copy_of_incremental_state(incremental_and_full, tmp_path: Path) -> tuple[Path, Path]:
    """(raw folder, warehouse): copies of the incremental fixture's, for a test to change."""
    inc_db, _, raw, _, _ = incremental_and_full
    work = tmp_path / "raw"
    shutil.copytree(raw, work)
    db = tmp_path / "inc" / "warehouse.duckdb"
    db.parent.mkdir()
    shutil.copy(inc_db, db)
    return work, db


CHECKED_MODELS = {"events": "int_shop__events_checked", "orders": "int_shop__orders_checked"}


def _rechecked_files(target: Path, model: str) -> list[str]:
    """The files an incremental run of a *_checked model listed in its query (source_file in (...))."""
    compiled = next((target / "compiled").rglob(f"{model}.sql")).read_text()
    return re.findall(r"'([a-z]+_[^']+\.csv)'", compiled.split("source_file in (", 1)[1].split(")")[0])


@pytest.mark.slow
def test_an_identity_change_rechecks_old_orders_and_events(incremental_and_full, tmp_path):
    """A new users snapshot merges one user and spoils another: their orders and events, landed long before
    the window, change customer or get flagged; the incremental run re-checks the files holding them (and not
    the rest) and gives the tables of a full build."""
    last_day = incremental_and_full[-1]
    work, db = _copy_of_incremental_state(incremental_and_full, tmp_path)
    window_start = last_day - dt.timedelta(days=LATE_ARRIVAL_DAYS)
    with duckdb.connect(str(db), read_only=True) as con:
        # two clean, unmerged users with orders and events all landed before the window; a root to merge into
        merged, spoiled = (
            row[0]
            for row in con.execute(
                """
                with landed as (
                    select user_id, landed_on from intermediate.int_shop__events_checked
                    union all
                    select user_id, landed_on from intermediate.int_shop__orders_checked
                )
                select landed.user_id
                from landed
                inner join intermediate.int_shop__user_identity as identity using (user_id)
                where identity.is_clean and not identity.is_merged and identity.root_user_id = landed.user_id
                    and landed.user_id in (select user_id from intermediate.int_shop__orders_checked)
                group by landed.user_id
                having max(landed.landed_on) < ? and count(*) >= 3
                order by landed.user_id
                limit 2
                """,
                [window_start],
            ).fetchall()
        )
        root = con.execute(
            "select min(user_id) from intermediate.int_shop__user_identity"
            " where is_clean and not is_merged and user_id not in (?, ?)",
            [merged, spoiled],
        ).fetchone()[0]
        touched = {
            table: {
                row[0]
                for row in con.execute(
                    f"select distinct source_file from intermediate.{model} where user_id in (?, ?)",
                    [merged, spoiled],
                ).fetchall()
            }
            for table, model in CHECKED_MODELS.items()
        }
    assert all(touched.values())
    _rewrite_users(
        work / "users.csv",
        {
            str(merged): {"merged_at": "2016-01-01 00:00:00", "parent_user_id": f"{root}.0"},
            str(spoiled): {"created_at": "2030-01-01 00:00:00"},  # future_dated: quarantined
        },
    )
    target = tmp_path / "inc_target"
    dbt(["build"], db=db, target=target, dbt_vars={"shop_raw_path": str(work)})

    for table, model in CHECKED_MODELS.items():
        rechecked = set(_rechecked_files(target, model))
        files = list(work.glob(f"{table}_*.csv"))
        assert touched[table] <= rechecked, model
        assert {p.name for p in files if _landing_day(p) >= window_start} <= rechecked, model
        assert len(rechecked) < len(files) / 2, model  # the rest was kept, not re-checked

    full_db = tmp_path / "full" / "warehouse.duckdb"
    full_db.parent.mkdir()
    dbt(["build"], db=full_db, target=tmp_path / "full_target", dbt_vars={"shop_raw_path": str(work)})
    with duckdb.connect(str(full_db), read_only=True) as con:
        for model in CHECKED_MODELS.values():
            customers = dict(
                con.execute(
                    f"select user_id, max(customer_id) from intermediate.{model}"
                    " where user_id in (?, ?) group by user_id",
                    [merged, spoiled],
                ).fetchall()
            )
            assert customers == {merged: root, spoiled: None}, model  # the change reached old rows
    assert _differences(db, full_db) == []


@pytest.mark.slow
def test_a_redelivered_file_that_takes_over_every_line(incremental_and_full, tmp_path):
    """The day before the last is re-delivered with the last day's order lines appended: every line of the
    last day's file is now a copy first seen in an earlier file, so that file keeps no row of its own in
    int_shop__orders_checked - its old rows must go, or the incremental table would count them twice."""
    last_day = incremental_and_full[-1]
    work, db = _copy_of_incremental_state(incremental_and_full, tmp_path)
    last = work / f"orders_{last_day}.csv"
    before = max(p for p in work.glob("orders_*.csv") if p != last)
    appended = last.read_text().splitlines()[1:]
    before.write_text(before.read_text().rstrip("\n") + "\n" + "\n".join(appended) + "\n")

    target = tmp_path / "inc_target"
    dbt(["build"], db=db, target=target, dbt_vars={"shop_raw_path": str(work)})
    full_db = tmp_path / "full" / "warehouse.duckdb"
    full_db.parent.mkdir()
    dbt(["build"], db=full_db, target=tmp_path / "full_target", dbt_vars={"shop_raw_path": str(work)})
    with duckdb.connect(str(full_db), read_only=True) as con:
        owned = con.execute(
            "select count(*) from intermediate.int_shop__orders_checked where source_file = ?", [last.name]
        ).fetchone()[0]
    assert owned == 0 and len(appended) > 0
    assert _differences(db, full_db) == []


def test_a_json_comment_carries_any_file_name(tmp_path):
    """The orders pre-hook and the fold's post-hook read file lists back from the model's compiled query: the
    comment must stay one SQL comment and give back the same list whatever the names hold (`*/`, quotes,
    brackets)."""
    names = [
        "orders_2018-06-30.csv",
        "orders_a */ b.csv",
        "orders_it's.csv",
        'orders_"quoted".csv',
        "orders_x] */ y.csv",
        "orders_back\\slash.csv",
    ]
    inline = (
        "{% set comment = json_comment('re-checked files', var('names')) %}"
        "select 1 {{ comment }} as one,"
        " {{ json_comment_in(comment, 're-checked files') == var('names') }} as round_trips"
    )
    result = dbt(
        ["show", "--inline", inline, "--vars", json.dumps({"names": names})],
        db=tmp_path / "show.duckdb",
        target=tmp_path / "target",
    )
    lines = result.stdout.splitlines()
    header = next(i for i, line in enumerate(lines) if "round_trips" in line)
    row = [cell.strip() for cell in lines[header + 2].strip().strip("|").split("|")]
    assert row == ["1", "True"], result.stdout[-2000:]


@pytest.mark.slow
def test_every_batch_of_a_run_is_folded(incremental_and_full, tmp_path):
    """A run whose files make several batches folds each of them, also the days its table already holds: a
    file re-delivered without one event, in the window's last batch, loses that event."""
    inc_db, _, raw, _, last_day = incremental_and_full
    work = tmp_path / "raw"
    shutil.copytree(raw, work)
    latest = work / f"events_{last_day}.csv"
    header, *rows = latest.read_text().splitlines(keepends=True)
    dropped = rows[-1].split(",")[0]
    kept = [row for row in rows if row.split(",")[0] != dropped]
    latest.write_text(header + "".join(kept))
    db = tmp_path / "db" / "warehouse.duckdb"
    db.parent.mkdir()
    shutil.copy(inc_db, db)
    target = tmp_path / "target"
    # a few kB per batch: every landing day of the window is a batch of its own
    dbt_vars = {"shop_raw_path": str(work), "landed_batch_mb": 0.001}
    # the staging view too: it reads the folder it was built on
    dbt(
        ["run", "--select", "stg_shop__events", "int_shop__events_folded"],
        db=db,
        target=target,
        dbt_vars=dbt_vars,
    )

    later = _later_batches(target)
    assert len(later) == LATE_ARRIVAL_DAYS and later[-1] == [str(latest)]
    with duckdb.connect(str(db), read_only=True) as con:
        ids = {
            row[0]
            for row in con.execute(
                "select event_id from intermediate.int_shop__events_folded where source_file = ?",
                [latest.name],
            ).fetchall()
        }
    assert ids == {int(float(row.split(",")[0])) for row in kept}


@pytest.mark.slow
def test_a_run_whose_staging_view_reads_another_folder_stops(incremental_and_full, tmp_path):
    """shop_raw_path changed and the selection leaves the staging view out: the view still reads the old
    folder, so the files listed from the new one match none of its rows. The run stops, naming the view, and
    the incremental tables keep their rows; `dbt compile` still works."""
    work, db = _copy_of_incremental_state(incremental_and_full, tmp_path)

    def rows() -> dict[str, int]:
        with duckdb.connect(str(db), read_only=True) as con:
            return {
                model: con.execute(f"select count(*) from intermediate.{model}").fetchone()[0]
                for model in INCREMENTAL_MODELS
            }

    before = rows()
    for model in INCREMENTAL_MODELS:
        result = dbt(
            ["run", "--select", model],
            db=db,
            target=tmp_path / "target",
            dbt_vars={"shop_raw_path": str(work)},
            check=False,
        )
        output = result.stdout + result.stderr
        assert result.returncode != 0, f"{model} ran on a staging view of another folder"
        assert "was built on another folder than shop_raw_path" in output, output[-3000:]
        assert str(work) in output
    assert rows() == before
    # commands that write nothing still work, as `dbt docs generate` on a warehouse built from another folder
    compiled = dbt(
        ["compile", "--select", *INCREMENTAL_MODELS],
        db=db,
        target=tmp_path / "compile_target",
        dbt_vars={"shop_raw_path": str(work)},
        check=False,
    )
    assert compiled.returncode == 0, (compiled.stdout + compiled.stderr)[-3000:]
