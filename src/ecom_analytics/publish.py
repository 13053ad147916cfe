"""Publish the marts for BI tools: a running `dbt build` never locks them out or shows them half a table.

DuckDB lets one process write a database file, and a reader of `data/warehouse.duckdb` would see a table
disappear and come back while dbt rebuilds it. So BI tools never read the warehouse: after a successful build,
this module copies every table of schema `marts` out of it, once, and switches readers over atomically:

    data/published/
        r000007/<table>.parquet ...   one folder per publish (written with DuckDB COPY), plus _manifest.json
        r000008/...                   the last `--keep` (2) runs are kept, older ones deleted
        current -> r000008            symlink, swapped with os.replace of a temporary symlink
        marts.duckdb                  read-only DuckDB file: one table per Parquet file of the current run,
                                      built under a temporary name and os.replace'd over the old one

Both switches are single renames, so a reader sees the old complete set or the new complete set, never a mix:
- DuckDB: `duckdb.connect("data/published/marts.duckdb", read_only=True)`, then
  `select * from marts.fct_orders` as in the warehouse. The file's catalog is called `marts` (after the file
  name), so its tables live in the default schema `main`: a schema `marts` inside catalog `marts` would make
  `marts.fct_orders` ambiguous.
  An open connection keeps reading the file it opened (its tables are copies, not views over Parquet),
  even after newer publishes.
- Parquet: resolve `current` ONCE (os.path.realpath) and read every file of that folder; the folder stays on
  disk until two newer publishes have finished.

Run ids are a sequence (`r000001`, `r000002`, ...), not a timestamp: nothing depends on the wall clock.
Publishers take an exclusive lock on `data/published/.publish.lock`, so two publishes never interleave.

    python -m ecom_analytics.publish --database data/warehouse.duckdb [--out data/published] [--keep 2]
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import json
import os
import re
import shutil
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb

SCHEMA = "marts"
CURRENT = "current"
DUCKDB_NAME = "marts.duckdb"
MANIFEST = "_manifest.json"
LOCK = ".publish.lock"
RUN_RE = re.compile(r"^r(\d{6,})$")
DEFAULT_KEEP = 2


class PublishError(Exception):
    """A problem with the input or the output folder, explained for the person running `make run`."""


@dataclass(frozen=True)
class PublishResult:
    run_id: str
    run_dir: Path
    duckdb_path: Path
    tables: dict[str, int]  # table -> row count
    deleted_runs: list[str]


def _quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _quote_str(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


@contextlib.contextmanager
def _exclusive_lock(out_dir: Path) -> Iterator[None]:
    with open(out_dir / LOCK, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def list_runs(out_dir: Path) -> list[str]:
    """Completed run folders, oldest first (temporary folders start with a dot and are not runs)."""
    if not out_dir.is_dir():
        return []
    runs = [p.name for p in out_dir.iterdir() if p.is_dir() and not p.is_symlink() and RUN_RE.match(p.name)]
    return sorted(runs, key=lambda name: int(RUN_RE.match(name).group(1)))


def _next_run_id(out_dir: Path) -> str:
    runs = list_runs(out_dir)
    last = int(RUN_RE.match(runs[-1]).group(1)) if runs else 0
    return f"r{last + 1:06d}"


def _connect_source(database: Path) -> duckdb.DuckDBPyConnection:
    if not database.exists():
        raise PublishError(f"{database}: no such database file (run `make run` or `dbt build` first)")
    try:
        return duckdb.connect(str(database), read_only=True)
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            raise PublishError(
                f"{database}: the database is locked by another process (a running `dbt build`?); "
                "publish after the build has finished"
            ) from exc
        raise PublishError(f"{database}: cannot open as a DuckDB database: {exc}") from exc
    except duckdb.Error as exc:
        raise PublishError(f"{database}: cannot open as a DuckDB database: {exc}") from exc


def _mart_tables(con: duckdb.DuckDBPyConnection, database: Path) -> list[tuple[str, str | None]]:
    """(table name, comment) of every table and view in schema marts, by name."""
    rows = con.execute(
        """
        select table_name, comment
        from duckdb_tables()
        where database_name = current_database() and schema_name = ?
        union all
        select view_name, comment
        from duckdb_views()
        where database_name = current_database() and schema_name = ? and not internal
        order by 1
        """,
        [SCHEMA, SCHEMA],
    ).fetchall()
    if not rows:
        raise PublishError(
            f"{database}: schema '{SCHEMA}' has no tables: nothing to publish (did `dbt build` succeed?)"
        )
    return rows


def _column_comments(con: duckdb.DuckDBPyConnection, table: str) -> list[tuple[str, str]]:
    return con.execute(
        """
        select column_name, comment
        from duckdb_columns()
        where database_name = current_database() and schema_name = ? and table_name = ?
            and comment is not null
        order by column_index
        """,
        [SCHEMA, table],
    ).fetchall()


def _export(database: Path, tmp_dir: Path) -> tuple[dict[str, int], dict[str, dict]]:
    """COPY every mart to tmp_dir/<table>.parquet from one snapshot; return row counts and comments."""
    counts: dict[str, int] = {}
    comments: dict[str, dict] = {}
    with _connect_source(database) as con:
        tables = _mart_tables(con, database)
        # One read transaction: every file comes from the same state of the warehouse.
        con.execute("begin transaction")
        for table, comment in tables:
            target = tmp_dir / f"{table}.parquet"
            con.execute(
                f"copy (select * from {SCHEMA}.{_quote_ident(table)}) to {_quote_str(str(target))} "
                "(format parquet, compression zstd)"
            )
            counts[table] = con.execute(f"select count(*) from {SCHEMA}.{_quote_ident(table)}").fetchone()[0]
            comments[table] = {"table": comment, "columns": dict(_column_comments(con, table))}
        con.execute("commit")
    return counts, comments


def _build_duckdb(
    parquet_dir: Path, tables: dict[str, int], comments: dict[str, dict], tmp_path: Path
) -> None:
    """A fresh DuckDB file with a copy of every Parquet file of parquet_dir, comments included."""
    for stale in (tmp_path, tmp_path.with_name(tmp_path.name + ".wal")):
        stale.unlink(missing_ok=True)
    con = duckdb.connect(str(tmp_path))
    try:
        for table in tables:
            parquet = parquet_dir / f"{table}.parquet"
            ident = f"main.{_quote_ident(table)}"
            con.execute(f"create table {ident} as select * from read_parquet({_quote_str(str(parquet))})")
            table_comment = comments[table]["table"]
            if table_comment:
                con.execute(f"comment on table {ident} is {_quote_str(table_comment)}")
            for column, text in comments[table]["columns"].items():
                con.execute(f"comment on column {ident}.{_quote_ident(column)} is {_quote_str(text)}")
        con.execute("checkpoint")
    finally:
        con.close()
    # Readers must not write to it; the file is replaced as a whole by the next publish.
    os.chmod(tmp_path, 0o444)


def _switch_symlink(out_dir: Path, run_id: str) -> None:
    tmp_link = out_dir / f".{CURRENT}.{run_id}.tmp"
    tmp_link.unlink(missing_ok=True)
    # Relative target: the published folder can be moved or mounted elsewhere as a whole.
    os.symlink(run_id, tmp_link, target_is_directory=True)
    os.replace(tmp_link, out_dir / CURRENT)


def _prune(out_dir: Path, keep: int) -> list[str]:
    runs = list_runs(out_dir)
    current = os.readlink(out_dir / CURRENT) if (out_dir / CURRENT).is_symlink() else None
    deleted = []
    for run in runs[:-keep]:
        if run == current:
            continue
        shutil.rmtree(out_dir / run)
        deleted.append(run)
    # Leftovers of a publish that crashed half-way (we hold the lock, so none is in progress).
    for leftover in [*out_dir.glob(".r*.tmp*"), *out_dir.glob(f".{CURRENT}.*.tmp")]:
        if leftover.is_dir() and not leftover.is_symlink():
            shutil.rmtree(leftover)
        else:
            leftover.unlink(missing_ok=True)
    return deleted


def publish(database: Path, out_dir: Path, keep: int = DEFAULT_KEEP) -> PublishResult:
    """Export schema marts of `database` to a new run folder of `out_dir` and switch readers to it."""
    database = Path(database)
    out_dir = Path(out_dir)
    if keep < 1:
        raise PublishError(f"--keep must be at least 1 (got {keep}): the current run is always kept")
    out_dir.mkdir(parents=True, exist_ok=True)
    with _exclusive_lock(out_dir):
        run_id = _next_run_id(out_dir)
        tmp_dir = out_dir / f".{run_id}.tmp"
        tmp_db = out_dir / f".{run_id}.tmp.{DUCKDB_NAME}"
        # Everything that can fail happens on temporary names; readers see nothing until the renames below.
        try:
            if tmp_dir.exists():
                shutil.rmtree(tmp_dir)
            tmp_dir.mkdir()
            counts, comments = _export(database, tmp_dir)
            manifest = {
                "run_id": run_id,
                "schema": SCHEMA,
                "tables": {name: {"rows": rows, "file": f"{name}.parquet"} for name, rows in counts.items()},
            }
            (tmp_dir / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
            _build_duckdb(tmp_dir, counts, comments, tmp_db)
        except BaseException:
            shutil.rmtree(tmp_dir, ignore_errors=True)
            tmp_db.unlink(missing_ok=True)
            raise
        run_dir = out_dir / run_id
        os.replace(tmp_dir, run_dir)
        _switch_symlink(out_dir, run_id)
        os.replace(tmp_db, out_dir / DUCKDB_NAME)
        deleted = _prune(out_dir, keep)
    return PublishResult(run_id, run_dir, out_dir / DUCKDB_NAME, counts, deleted)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m ecom_analytics.publish",
        description="Publish schema marts as Parquet + a read-only DuckDB file for BI tools.",
    )
    parser.add_argument("--database", required=True, type=Path, help="the warehouse dbt built")
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help="published folder (default: <folder of --database>/published, i.e. data/published)",
    )
    parser.add_argument("--keep", type=int, default=DEFAULT_KEEP, help="runs to keep (default 2)")
    args = parser.parse_args(argv)
    out_dir = args.out if args.out is not None else args.database.resolve().parent / "published"
    try:
        result = publish(args.database, out_dir, keep=args.keep)
    except PublishError as exc:
        print(f"publish: error: {exc}", file=sys.stderr)
        return 2
    rows = sum(result.tables.values())
    print(f"publish: {len(result.tables)} marts ({rows} rows) -> {result.run_dir}")
    print(f"publish: BI tools read {result.duckdb_path} (read-only) or {out_dir / CURRENT}/<table>.parquet")
    if result.deleted_runs:
        print(f"publish: deleted old runs {', '.join(result.deleted_runs)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
