"""The one conversion the dbt Python models' code makes from an engine's DataFrame to pandas.

`dbt.ref()` returns a DuckDB relation on dbt-duckdb and a Spark DataFrame where dbt runs Python models on
Spark (Databricks); the models' logic works on pandas, at most one row per customer. `to_pandas` takes either,
or a pandas DataFrame (as the unit tests pass), and selects the named columns in the engine before converting,
so only they cross into Python.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd


def to_pandas(frame, columns: Sequence[str] | None = None) -> pd.DataFrame:
    """`frame` as pandas, with only `columns` (in that order) when given."""
    if isinstance(frame, pd.DataFrame):
        return frame[list(columns)] if columns else frame
    if hasattr(frame, "toPandas"):  # pyspark.sql.DataFrame
        return (frame.select(*columns) if columns else frame).toPandas()
    if hasattr(frame, "project") and hasattr(frame, "df"):  # duckdb.DuckDBPyRelation
        selected = frame.project(", ".join(f'"{column}"' for column in columns)) if columns else frame
        return selected.df()
    expected = "a DuckDB relation, a Spark DataFrame or a pandas DataFrame"
    raise TypeError(f"to_pandas: expected {expected}, got {type(frame).__name__}")
