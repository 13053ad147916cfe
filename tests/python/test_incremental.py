"""Incremental builds over raw data landing as one hive partition per day give the tables of a full build.

The generator writes a small shop in the daily layout (`orders/landed_on=YYYY-MM-DD/orders.csv`); the
warehouse is built without the last landing day, then that day lands and `dbt build` runs again,
incrementally. Every table of that warehouse must equal the tables of a fresh full build of all files (as
multisets of rows), and the incremental models must have opened only the files of the lookback window.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from conftest import BIN, REPO, dbt

LATE_ARRIVAL_DAYS = 3  # dbt_project.yml
PARTITIONED = ("orders", "events")
# The Python models (segments, predictions) and what reads them depend on the ingest only through the SQL
# marts, which every build here compares: leaving them out keeps the builds of this file within the CI budget.
NOT_PYTHON = ["--exclude", "path:python_models+"]
# the full builds the incremental ones are compared with need no data tests: the incremental runs have them
MODELS_ONLY = ["build", "--resource-type", "seed", "--resource-type", "model", *NOT_PYTHON]


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


def _partition_day(folder: Path) -> dt.date:
    return dt.date.fromisoformat(folder.name.removeprefix("landed_on="))


def _partitions(raw: Path, table: str) -> dict[dt.date, Path]:
    return {_partition_day(p): p for p in (raw / table).glob("landed_on=*")}


def _tables(db: Path) -> list[tuple[str, str]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(
            # Schema audit is run metadata (the run history differs between any two runs), not data.
            "select schema_name, table_name from duckdb_tables()"
            " where database_name = 'warehouse' and schema_name <> 'audit' order by all"
        ).fetchall()


# When a file was written is the file system's, not the data's: a copy of the same file differs there.
FILE_TIME_COLUMNS = ("modified_at", "source_file_modified_at")


def _differences(db_a: Path, db_b: Path) -> list[str]:
    """Tables whose rows differ (as multisets) between two warehouses, with the row counts each way; file
    times are left out."""
    out = []
    tables_a, tables_b = _tables(db_a), _tables(db_b)
    if tables_a != tables_b:
        out.append(f"tables differ: {sorted(set(tables_a) ^ set(tables_b))}")
    with duckdb.connect() as con:
        for alias, db in (("a", db_a), ("b", db_b)):
            quoted = str(db).replace("'", "''")
            con.execute(f"attach '{quoted}' as {alias} (read_only)")
        for schema, table in sorted(set(tables_a) & set(tables_b)):
            a, b = f'a."{schema}"."{table}"', f'b."{schema}"."{table}"'
            a, b = (f"select columns(c -> c not in {FILE_TIME_COLUMNS}) from {x}" for x in (a, b))
            only_a = con.execute(f"select count(*) from ({a} except all {b})").fetchone()[0]
            only_b = con.execute(f"select count(*) from ({b} except all {a})").fetchone()[0]
            if only_a or only_b:
                out.append(f"{schema}.{table}: {only_a} rows only in {db_a}, {only_b} only in {db_b}")
    return out


@dataclass(frozen=True)
class Landed:
    """The incremental fixture: a warehouse built before and after the last day landed, and a full build."""

    all_raw: Path  # every landing day
    before_raw: Path  # without the last landing day
    before_db: Path  # built on before_raw
    raw: Path  # the last day landed into a copy of before_raw
    inc_db: Path  # before_db, then an incremental build on raw
    inc_target: Path
    full_db: Path  # a full build of all_raw
    last_day: dt.date

    @property
    def window_start(self) -> dt.date:
        """The first landing day an incremental run after the last day re-reads (lookback_start)."""
        return self.last_day - dt.timedelta(days=LATE_ARRIVAL_DAYS)


@pytest.fixture(scope="module")
def landed(tmp_path_factory) -> Landed:
    base = tmp_path_factory.mktemp("incremental")
    all_raw, truth = base / "all raw", base / "truth"
    _generate_daily(all_raw, truth, scale=float(os.environ.get("ECOM_TEST_INCREMENTAL_SCALE", "0.1")))
    last_day = max(_partitions(all_raw, "orders"))
    assert last_day == max(_partitions(all_raw, "events"))

    before_raw = base / "before raw"
    shutil.copytree(all_raw, before_raw)
    for table in PARTITIONED:
        shutil.rmtree(_partitions(before_raw, table)[last_day])
    before_db = base / "before" / "warehouse.duckdb"
    before_db.parent.mkdir()
    before_vars = {"shop_raw_path": str(before_raw)}
    dbt(["build", *NOT_PYTHON], db=before_db, target=base / "before_target", dbt_vars=before_vars)

    raw = base / "raw"
    shutil.copytree(before_raw, raw)
    for table in PARTITIONED:  # the last day lands
        day = _partitions(all_raw, table)[last_day]
        shutil.copytree(day, raw / table / day.name)
    inc_db, inc_target = base / "inc" / "warehouse.duckdb", base / "inc_target"
    inc_db.parent.mkdir()
    shutil.copy(before_db, inc_db)
    dbt(["build", *NOT_PYTHON], db=inc_db, target=inc_target, dbt_vars={"shop_raw_path": str(raw)})

    full_db = base / "full" / "warehouse.duckdb"
    full_db.parent.mkdir()
    dbt(MODELS_ONLY, db=full_db, target=base / "full_target", dbt_vars={"shop_raw_path": str(all_raw)})
    return Landed(all_raw, before_raw, before_db, raw, inc_db, inc_target, full_db, last_day)


def _copy_state(raw: Path, db: Path, tmp_path: Path) -> tuple[Path, Path]:
    """(raw folder, warehouse): copies for a test to change."""
    work = tmp_path / "raw"
    shutil.copytree(raw, work)
    copy = tmp_path / "inc" / "warehouse.duckdb"
    copy.parent.mkdir()
    shutil.copy(db, copy)
    return work, copy


def _full_build(raw: Path, tmp_path: Path) -> Path:
    db = tmp_path / "full" / "warehouse.duckdb"
    db.parent.mkdir()
    dbt(MODELS_ONLY, db=db, target=tmp_path / "full_target", dbt_vars={"shop_raw_path": str(raw)})
    return db


def _build(raw: Path, db: Path, tmp_path: Path, *args: str, check: bool = True):
    return dbt(
        ["build", *NOT_PYTHON, *args],
        db=db,
        target=tmp_path / "target",
        dbt_vars={"shop_raw_path": str(raw)},
        check=check,
    )


def _rows_of(db: Path, model: str, source_file: str) -> int:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(f"select count(*) from {model} where source_file = ?", [source_file]).fetchone()[0]


@pytest.mark.slow
def test_incremental_build_equals_full_build(landed):
    assert len(_tables(landed.inc_db)) > 30
    last = f"orders/landed_on={landed.last_day}/orders.csv"
    assert _rows_of(landed.before_db, "staging.stg_shop__orders", last) == 0
    assert _rows_of(landed.inc_db, "staging.stg_shop__orders", last) > 1  # the landed day's lines and header
    assert _differences(landed.inc_db, landed.full_db) == []


@pytest.mark.slow
@pytest.mark.parametrize("table", PARTITIONED)
def test_incremental_run_opens_only_the_lookback_window(landed, table):
    """DuckDB's profile of the incremental run's compiled staging query: each of its reads of the raw files
    (numbered_raw_rows reads them three times) opened the partitions landed on or after the window start, out
    of every partition of the table."""
    compiled = (landed.inc_target / "compiled" / "ecom_analytics" / "models" / "staging" / "shop").joinpath(
        f"stg_shop__{table}.sql"
    )
    partitions = _partitions(landed.raw, table)
    # the high-water mark before the last day landed was the day before it
    expected = sorted(d for d in partitions if d >= landed.window_start - dt.timedelta(days=1))
    assert len(expected) == LATE_ARRIVAL_DAYS + 2
    with duckdb.connect(str(landed.inc_db), read_only=True) as con:
        plan = "\n".join(row[1] for row in con.execute(f"explain analyze {compiled.read_text()}").fetchall())
    # the plan draws operators side by side, so a scan's "opened/all" cell is matched on its own
    scanned = re.findall(r"│\s*(\d+)/(\d+)\s*│", plan)
    assert len(scanned) == plan.count("Scanning Files:") == 3, plan
    assert set(scanned) == {(str(len(expected)), str(len(partitions)))}, plan


@pytest.mark.slow
def test_files_before_the_window_are_not_read_again(landed, tmp_path):
    """Old partitions corrupted on disk (prices changed, a header garbled) after they were loaded: an
    incremental run does not open them, so its tables still equal the full build of the intact files."""
    raw, db = _copy_state(landed.raw, landed.inc_db, tmp_path)
    old_day = min(_partitions(raw, "orders"))
    assert old_day < landed.window_start
    orders = _partitions(raw, "orders")[old_day] / "orders.csv"
    header, *lines = orders.read_text().splitlines()
    assert lines, "the oldest orders partition holds no line to corrupt"
    price = header.split(",").index("price")
    orders.write_text(
        "\n".join(
            [
                header,
                *(
                    ",".join(v if i != price else "999.0" for i, v in enumerate(line.split(",")))
                    for line in lines
                ),
            ]
        )
        + "\n"
    )
    events = _partitions(raw, "events")[min(_partitions(raw, "events"))] / "events.csv"
    events.write_text(events.read_text().replace("event_name,platform", "platform,event_name", 1))
    assert _rows_of(db, "staging.stg_shop__orders", orders.relative_to(raw).as_posix()) == len(lines) + 1

    _build(raw, db, tmp_path)
    # the listing of the raw folder (stg_shop__raw_files) shows the corrupted files' new sizes: that is the
    # file system, not loaded rows; every table of loaded rows equals the full build of the intact files
    listing = "staging.stg_shop__raw_files:"
    assert [d for d in _differences(db, landed.full_db) if not d.startswith(listing)] == []


@pytest.mark.slow
def test_a_file_landing_before_the_window_stops_the_build_until_a_full_refresh(landed, tmp_path):
    """A new file in a partition older than the lookback window is not read by an incremental run: the build
    fails naming it and saying to run --full-refresh; `dbt build --full-refresh` then reads it."""
    raw, db = _copy_state(landed.raw, landed.inc_db, tmp_path)
    old_day = min(
        d for d, p in _partitions(raw, "orders").items() if len((p / "orders.csv").read_text()) > 200
    )
    assert old_day < landed.window_start
    header, first, *_ = (_partitions(raw, "orders")[old_day] / "orders.csv").read_text().splitlines()
    columns = header.split(",")
    values = first.split(",")
    values[columns.index("invoice_id")] = "99999999.0"  # a new order of one line, late
    values[columns.index("line_item_id")] = "99999999.0"
    late = _partitions(raw, "orders")[old_day] / "orders_late.csv"
    late.write_text(f"{header}\n{','.join(values)}\n")
    late_name = late.relative_to(raw).as_posix()

    result = _build(raw, db, tmp_path, check=False)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output[-3000:]
    assert "Traceback" not in output, output[-3000:]
    message = [line for line in output.splitlines() if late_name in line]
    assert message and "--full-refresh" in message[0], output[-3000:]
    assert _rows_of(db, "staging.stg_shop__orders", late_name) == 0

    _build(raw, db, tmp_path, "--full-refresh")
    assert _rows_of(db, "staging.stg_shop__orders", late_name) == 2  # the header row and the line
    with duckdb.connect(str(db), read_only=True) as con:
        late_lines = (
            "select count(*) from intermediate.int_shop__orders_checked where line_item_id = 99999999"
        )
        assert con.execute(late_lines).fetchone()[0] == 1


def _rewrite_users(users_csv: Path, changes: dict[str, dict[str, str]]) -> None:
    """Set columns of users.csv rows by id ({id: {column: value}}), as a new users snapshot would."""
    lines = users_csv.read_text().splitlines()
    header = lines[0].split(",")
    out = [lines[0]]
    for line in lines[1:]:
        values = line.split(",")
        for column, value in changes.get(values[header.index("id")], {}).items():
            values[header.index(column)] = value
        out.append(",".join(values))
    users_csv.write_text("\n".join(out) + "\n")


@pytest.mark.slow
def test_a_users_snapshot_merging_an_old_account_reaches_its_old_orders(landed, tmp_path):
    """A new users.csv merges an account whose orders and events all landed long before the window: after an
    incremental build its old rows belong to the account it was merged into, as in a full build."""
    raw, db = _copy_state(landed.raw, landed.inc_db, tmp_path)
    with duckdb.connect(str(db), read_only=True) as con:
        merged = con.execute(
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
                and landed.user_id in (select user_id from intermediate.int_shop__events_checked)
            group by landed.user_id
            having max(landed.landed_on) < ? and count(*) >= 3
            order by landed.user_id
            limit 1
            """,
            [landed.window_start],
        ).fetchone()[0]
        root = con.execute(
            "select min(user_id) from intermediate.int_shop__user_identity"
            " where is_clean and not is_merged and not is_root_deleted and user_id <> ?",
            [merged],
        ).fetchone()[0]
    _rewrite_users(
        raw / "users.csv", {str(merged): {"merged_at": "2016-01-01 00:00:00", "parent_user_id": f"{root}.0"}}
    )
    _build(raw, db, tmp_path)
    full_db = _full_build(raw, tmp_path)
    with duckdb.connect(str(full_db), read_only=True) as con:
        for model, user in (("int_shop__orders_checked", "user_id"), ("int_shop__events", "source_user_id")):
            customers = con.execute(
                f"select distinct customer_id from intermediate.{model} where {user} = ?", [merged]
            ).fetchall()
            assert customers == [(root,)], model  # the merge reached the old rows
    assert _differences(db, full_db) == []


@pytest.mark.slow
def test_an_items_snapshot_dropping_an_item_flags_its_old_views(landed, tmp_path):
    """A new items.csv no longer lists an item whose views all landed long before the window: after an
    incremental build those old events are flagged as views of an unknown item, as in a full build."""
    raw, db = _copy_state(landed.raw, landed.inc_db, tmp_path)
    with duckdb.connect(str(db), read_only=True) as con:
        item = con.execute(
            """
            select item_id
            from intermediate.int_shop__events
            where event_name = 'view_item' and item_id is not null
            group by item_id
            having max(landed_on) < ? and count(*) >= 3 and not bool_or(dq_unknown_item)
            order by item_id
            limit 1
            """,
            [landed.window_start],
        ).fetchone()[0]
    items_csv = raw / "items.csv"
    lines = items_csv.read_text().splitlines()
    header = lines[0].split(",")
    kept = [line for line in lines[1:] if line.split(",")[header.index("id")] != f"{item}.0"]
    assert len(kept) < len(lines) - 1  # the item's lines (a copied line too) are gone
    items_csv.write_text("\n".join([lines[0], *kept]) + "\n")
    _build(raw, db, tmp_path)
    with duckdb.connect(str(db), read_only=True) as con:
        flags = con.execute(
            "select distinct dq_unknown_item from intermediate.int_shop__events where item_id = ?", [item]
        ).fetchall()
    assert flags == [(True,)]  # the new catalog reached the old views
    assert _differences(db, _full_build(raw, tmp_path)) == []


@pytest.mark.slow
def test_a_redelivered_day_inside_the_window_replaces_its_rows(landed, tmp_path):
    """The day before the last is delivered again without its first line and with one price changed: the
    incremental build replaces that file's rows, as a full build of the new files reads them."""
    raw, db = _copy_state(landed.raw, landed.inc_db, tmp_path)
    day = max(
        d
        for d, p in _partitions(raw, "orders").items()
        if d < landed.last_day and len((p / "orders.csv").read_text().splitlines()) > 2
    )
    assert day >= landed.window_start
    orders = _partitions(raw, "orders")[day] / "orders.csv"
    header, _, kept, *rest = orders.read_text().splitlines()
    price = header.split(",").index("price")
    kept = ",".join(v if i != price else "1234.5" for i, v in enumerate(kept.split(",")))
    orders.write_text("\n".join([header, kept, *rest]) + "\n")
    name = orders.relative_to(raw).as_posix()

    _build(raw, db, tmp_path)
    assert _rows_of(db, "staging.stg_shop__orders", name) == len(rest) + 2
    with duckdb.connect(str(db), read_only=True) as con:
        assert (
            con.execute(
                "select count(*) from staging.stg_shop__orders where source_file = ? and price = 1234.5",
                [name],
            ).fetchone()[0]
            == 1
        )
    assert _differences(db, _full_build(raw, tmp_path)) == []


@pytest.mark.slow
def test_a_header_only_day_builds_and_the_good_file_recovers_it(landed, tmp_path):
    """The last day first lands as header-only files (an export without records): the incremental build passes
    and loads no row of it; then the real files of that day land in its place and the next incremental build,
    without --full-refresh, gives the tables of a full build."""
    raw, db = _copy_state(landed.before_raw, landed.before_db, tmp_path)
    for table in PARTITIONED:
        real = _partitions(landed.all_raw, table)[landed.last_day] / f"{table}.csv"
        day = raw / table / f"landed_on={landed.last_day}"
        day.mkdir()
        (day / f"{table}.csv").write_text(real.read_text().splitlines()[0] + "\n")
    _build(raw, db, tmp_path)
    with duckdb.connect(str(db), read_only=True) as con:
        for table in PARTITIONED:
            rows = con.execute(
                f"select count(*), count(*) filter (where not is_header_row) from staging.stg_shop__{table}"
                " where landed_on = ?",
                [landed.last_day],
            ).fetchone()
            assert rows == (1, 0), table  # the header line only
    for table in PARTITIONED:
        real = _partitions(landed.all_raw, table)[landed.last_day] / f"{table}.csv"
        shutil.copy(real, raw / table / f"landed_on={landed.last_day}" / f"{table}.csv")
    _build(raw, db, tmp_path)
    assert _differences(db, landed.full_db) == []


@pytest.mark.slow
def test_building_the_same_data_again_changes_nothing(landed, tmp_path):
    """An incremental build with nothing new landed re-reads the window and gives identical tables."""
    raw, db = _copy_state(landed.raw, landed.inc_db, tmp_path)
    _build(raw, db, tmp_path)
    assert _differences(db, landed.inc_db) == []
