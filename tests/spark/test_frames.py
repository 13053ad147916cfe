"""ecom_analytics.frames.to_pandas on a real local Spark DataFrame, a DuckDB relation and pandas."""

from __future__ import annotations

from decimal import Decimal

import duckdb
import pandas as pd
import pytest

from ecom_analytics.frames import to_pandas
from ecom_analytics.segmentation.models import read_rfm

ROWS = [(2, 10, 1, Decimal("19.990")), (1, 3, 4, Decimal("250.500"))]
COLUMNS = ["customer_id", "recency_days", "frequency", "monetary"]


def test_spark_dataframe_to_pandas(spark):
    frame = spark.createDataFrame(
        ROWS, "customer_id bigint, recency_days int, frequency int, monetary decimal(38,3)"
    )
    converted = to_pandas(frame, ["monetary", "customer_id"])
    assert list(converted.columns) == ["monetary", "customer_id"]
    assert converted["customer_id"].tolist() == [2, 1]
    assert converted["monetary"].tolist() == [Decimal("19.990"), Decimal("250.500")]


def test_engines_give_the_same_rfm_input(spark):
    """read_rfm, through to_pandas, reads the same frame from Spark, DuckDB and pandas."""
    spark_frame = spark.createDataFrame(
        ROWS, "customer_id bigint, recency_days int, frequency int, monetary decimal(38,3)"
    )
    duck = duckdb.connect()
    duck.execute(
        "create table rfm (customer_id bigint, recency_days int, frequency int, monetary decimal(38,3))"
    )
    duck.executemany("insert into rfm values (?, ?, ?, ?)", ROWS)
    pandas_frame = pd.DataFrame(ROWS, columns=COLUMNS)
    frames = [read_rfm(frame) for frame in (spark_frame, duck.table("rfm"), pandas_frame)]
    for frame in frames[1:]:
        pd.testing.assert_frame_equal(frame, frames[0])
    assert frames[0]["customer_id"].tolist() == [1, 2]
    assert frames[0]["monetary"].tolist() == [250.5, 19.99]


def test_other_objects_are_refused():
    with pytest.raises(
        TypeError, match="expected a DuckDB relation, a Spark DataFrame or a pandas DataFrame"
    ):
        to_pandas([1, 2, 3])
