"""var prediction_horizon_days is validated before it reaches SQL: anything but a positive whole number stops
`dbt compile` with one line naming the var, never a traceback; a valid H moves the backtest cutoffs."""

from __future__ import annotations

import pytest

from conftest import dbt


def _compile(tmp_path, horizon):
    return dbt(
        ["compile", "--select", "prediction_cutoffs"],
        db=tmp_path / "warehouse.duckdb",
        target=tmp_path / "target",
        dbt_vars={"as_of_date": "2018-07-01", "prediction_horizon_days": horizon},
        check=False,
    )


@pytest.mark.parametrize("horizon", [0, -30, "ninety", 1.5, True])
def test_bad_horizon_is_refused_by_name(tmp_path, horizon):
    result = _compile(tmp_path, horizon)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output[-2000:]
    assert "var prediction_horizon_days: expected a positive whole number of days" in output
    assert "Traceback" not in output


def test_valid_horizon_sets_the_cutoffs(tmp_path):
    result = _compile(tmp_path, 30)
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
    compiled = next((tmp_path / "target").rglob("prediction_cutoffs.sql")).read_text()
    assert "2 * 30" not in compiled  # rendered as literals
    assert "60 as days_before" in compiled and "30 as days_before" in compiled
    assert "cast(30 as integer) as horizon_days" in compiled
