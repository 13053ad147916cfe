"""No customer with a sale (header-only files, guests buying only, or a fixed as_of_date before the first
sale): every dbt Python model body returns an empty table with the columns and types its yml documents, on an
in-memory DuckDB; with a customer or three, the clear errors for too little data are still raised."""

from __future__ import annotations

import duckdb
import pytest
import yaml

from conftest import REPO, duckdb_type
from ecom_analytics.predictions import (
    ModelFitError,
    customer_predictions,
    model_backtest,
    model_backtest_scores,
)
from ecom_analytics.predictions.insiders import insiders_summary
from ecom_analytics.segmentation import SegmentationInputError, customer_segments, segment_model_selection
from ecom_analytics.segmentation.stability import segment_stability

YMLS = [
    REPO / "python_models" / "_segmentation__models.yml",
    *sorted((REPO / "python_models" / "predictions").glob("_predictions__*.yml")),
]

# The upstream SQL marts the bodies read, with the warehouse's column types.
UPSTREAM = {
    "customer_rfm": "customer_id bigint, as_of_date date, recency_days integer, frequency integer, "
    "monetary decimal(38, 3), rfm_segment varchar",
    "prediction_cutoffs": "cutoff_role varchar, months_before integer, cutoff_date date, "
    "outcome_end_date date, as_of_date date, horizon_days integer",
    "customer_cutoff_features": "cutoff_date date, customer_id bigint, recency_days integer, "
    "tenure_days integer, frequency integer, distinct_items integer, monetary decimal(38, 3), "
    "avg_order_value double, spend_last_90d decimal(38, 3), spend_prior_90d decimal(38, 3), "
    "avg_days_between_orders double, returns_share double, rfm_score integer",
    "customer_cutoff_outcomes": "cutoff_role varchar, cutoff_date date, customer_id bigint, "
    "outcome_end_date date, purchased boolean, orders integer, revenue decimal(38, 3)",
    "insiders": "customer_id bigint, is_insider boolean, was_insider_at_eval boolean, "
    "expected_revenue double",
    "fct_order_lines": "customer_id bigint, is_sale boolean, paid_at timestamp, line_revenue decimal(18, 3)",
}
# With a sale by a guest only, or a fixed var as_of_date, the cutoffs exist though no customer does.
CUTOFFS = """
    insert into prediction_cutoffs
    select role, months, date '2018-01-01' - to_days(days) - to_months(months), null, date '2018-01-01', 90
    from (values ('train', 180, 0), ('evaluate', 90, 0), ('score', 0, 0)) as t(role, days, months)
    union all
    select 'refit', m, date '2018-01-01' - to_months(m), null, date '2018-01-01', 90 from range(1, 13) as r(m)
"""


# Each body and the tables its dbt model refs, in the model's order.
BODIES = {
    "segment_model_selection": (segment_model_selection, ["customer_rfm"]),
    "customer_segments": (customer_segments, ["customer_rfm", "segment_model_selection"]),
    "segment_stability": (
        segment_stability,
        ["prediction_cutoffs", "customer_cutoff_features", "customer_rfm", "customer_segments"],
    ),
    "model_backtest_scores": (
        model_backtest_scores,
        ["prediction_cutoffs", "customer_cutoff_features", "customer_cutoff_outcomes"],
    ),
    "model_backtest": (model_backtest, ["model_backtest_scores"]),
    "customer_predictions": (
        customer_predictions,
        ["prediction_cutoffs", "customer_cutoff_features", "customer_cutoff_outcomes"],
    ),
    "insiders_summary": (
        insiders_summary,
        ["insiders", "model_backtest_scores", "fct_order_lines", "prediction_cutoffs"],
    ),
}


def documented_types(model: str) -> list[tuple[str, str]]:
    for yml in YMLS:
        for node in yaml.safe_load(yml.read_text()).get("models", []):
            if node["name"] == model:
                return [(c["name"], duckdb_type(c["data_type"])) for c in node["columns"]]
    raise AssertionError(f"{model} is not in {[y.name for y in YMLS]}")


def empty_warehouse(with_cutoffs: bool) -> duckdb.DuckDBPyConnection:
    """Every table the bodies read, empty; the Python models' own tables as their yml documents them."""
    con = duckdb.connect()
    for table, columns in UPSTREAM.items():
        con.execute(f"create table {table} ({columns})")
    for model in BODIES:
        con.execute(f"create table {model} ({', '.join(f'{c} {t}' for c, t in documented_types(model))})")
    if with_cutoffs:
        con.execute(CUTOFFS)
    return con


@pytest.mark.parametrize("model", sorted(BODIES))
@pytest.mark.parametrize("with_cutoffs", [False, True], ids=["no_sale", "cutoffs_without_customers"])
def test_no_customer_builds_an_empty_table_of_the_documented_types(model, with_cutoffs):
    body, refs = BODIES[model]
    with empty_warehouse(with_cutoffs) as con:
        # created as dbt-duckdb materialises the relation a Python model returns
        body(con, *(con.table(ref) for ref in refs)).create("built")
        built = con.execute("select column_name, column_type from (describe built)").fetchall()
        assert built == documented_types(model)
        assert con.execute("select count(*) from built").fetchone() == (0,)


def test_one_to_three_customers_are_still_a_clear_error():
    with empty_warehouse(with_cutoffs=True) as con:
        con.execute(
            "insert into customer_rfm values (1, date '2018-01-01', 5, 1, 10, 'Lost'),"
            " (2, date '2018-01-01', 50, 2, 20, 'Lost'), (3, date '2018-01-01', 500, 3, 30, 'Lost')"
        )
        with pytest.raises(SegmentationInputError, match=r"customer_rfm: 3 customer\(s\)"):
            segment_model_selection(con, con.table("customer_rfm"))


@pytest.mark.parametrize(
    ("with_cutoffs", "message"),
    [
        (True, "customer_cutoff_features: no customer with a sale before the"),
        (False, "prediction_cutoffs: no row for cutoff_role ['evaluate', 'score', 'train']"),
    ],
)
def test_a_customer_without_enough_history_is_still_a_clear_error(with_cutoffs, message):
    """One customer, whose only sale falls after the train cutoff: the horizon is too long for the history
    (and cutoffs missing while a customer exists stay an error too)."""
    with empty_warehouse(with_cutoffs) as con:
        con.execute(
            "insert into customer_cutoff_features (cutoff_date, customer_id, recency_days, frequency,"
            " monetary, rfm_score) values (date '2018-01-01', 1, 3, 1, 10, 3)"
        )
        inputs = [con.table(t) for t in ("customer_cutoff_features", "customer_cutoff_outcomes")]
        for body in (model_backtest_scores, customer_predictions):
            with pytest.raises(ModelFitError) as error:
                body(con, con.table("prediction_cutoffs"), *inputs)
            assert message in str(error.value)
