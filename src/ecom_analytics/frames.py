"""The one boundary between the dbt Python models' code and the engine that runs them.

`dbt.ref()` returns a DuckDB relation on dbt-duckdb and a Spark DataFrame where dbt runs Python models on
Spark (Databricks); the model's `session` is a DuckDB connection or a SparkSession. The models' code calls
neither API itself, only the functions here, which take SQL text both engines read alike:

- `select`, `aggregate`, `join`: filter, project, group and join in the engine, by SQL expressions, so that
  only what the model needs (at most one row per customer) reaches Python;
- `to_pandas`, `rows`, `is_empty`: bring that into Python;
- `from_pandas`, `empty`: hand the model's result back to the engine with the column types it declares.

`to_pandas` also takes a pandas DataFrame (column names only), as the unit tests pass one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd


def is_spark(frame) -> bool:
    """`frame` is a pyspark DataFrame (the other engine here is DuckDB)."""
    return hasattr(frame, "selectExpr") and hasattr(frame, "toPandas")


def _check(frame) -> None:
    if not is_spark(frame) and not (hasattr(frame, "project") and hasattr(frame, "df")):
        expected = "a DuckDB relation, a Spark DataFrame or a pandas DataFrame"
        raise TypeError(f"frames: expected {expected}, got {type(frame).__name__}")


def select(frame, columns: Sequence[str] = (), where: str | None = None):
    """The rows of `frame` where the SQL predicate `where` holds, as the SQL expressions `columns`."""
    _check(frame)
    if where:
        frame = frame.filter(where)
    if not columns:
        return frame
    return frame.selectExpr(*columns) if is_spark(frame) else frame.project(", ".join(columns))


def aggregate(frame, group_by: Sequence[str], aggregates: Sequence[str], where: str | None = None):
    """One row per `group_by` value of `frame` (filtered by `where`), with the SQL `aggregates`."""
    frame = select(frame, where=where)
    if is_spark(frame):
        from pyspark.sql import functions as F  # imported only on Spark

        return frame.groupBy(*group_by).agg(*(F.expr(a) for a in aggregates))
    return frame.aggregate(", ".join([*group_by, *aggregates]), ", ".join(group_by))


def join(left, right, on: str, columns: Sequence[str], how: str = "inner"):
    """`left` (alias l) joined to `right` (alias r) on the SQL condition `on`, as the SQL `columns`."""
    _check(left)
    if is_spark(left):
        from pyspark.sql import functions as F

        return left.alias("l").join(right.alias("r"), F.expr(on), how).selectExpr(*columns)
    return left.set_alias("l").join(right.set_alias("r"), on, how=how).project(", ".join(columns))


def to_pandas(frame, columns: Sequence[str] = (), where: str | None = None) -> pd.DataFrame:
    """`frame` as pandas: `select(frame, columns, where)` evaluated in the engine, then converted."""
    if isinstance(frame, pd.DataFrame):
        if where:
            raise TypeError("to_pandas: a pandas DataFrame takes column names, not a where predicate")
        return frame[list(columns)] if columns else frame
    selected = select(frame, columns, where)
    return selected.toPandas() if is_spark(selected) else selected.df()


def rows(frame, columns: Sequence[str] = (), where: str | None = None) -> list[tuple]:
    """`select(frame, columns, where)` as Python tuples (dates as datetime.date), for a handful of rows."""
    selected = select(frame, columns, where)
    return [tuple(row) for row in selected.collect()] if is_spark(selected) else selected.fetchall()


def is_empty(frame) -> bool:
    """`frame` has no row (at most one row is read)."""
    _check(frame)
    return frame.isEmpty() if is_spark(frame) else frame.limit(1).fetchone() is None


def from_pandas(session, frame: pd.DataFrame, types: Mapping[str, str]):
    """The columns `types` names of `frame`, in its order, cast in the engine to its SQL types."""
    casts = [f"cast({name} as {kind}) as {name}" for name, kind in types.items()]
    frame = frame[list(types)]
    if hasattr(session, "createDataFrame"):  # a SparkSession
        return session.createDataFrame(frame).selectExpr(*casts)
    return session.from_df(frame).project(", ".join(casts))


def empty(session, types: Mapping[str, str]):
    """A relation with no row and exactly the columns of `types`, in its order, with those SQL types.

    What a model returns when there is no customer to fit (a header-only landing, no sale yet): the table is
    still built with its columns, the tests downstream run on zero rows, and the next good landing fills it
    without --full-refresh.
    """
    columns = ", ".join(f"cast(null as {kind}) as {name}" for name, kind in types.items())
    return session.sql(f"select {columns} limit 0")
