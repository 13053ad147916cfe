"""Bad input through `dbt build`: a quarantine row with its reason, or one clear line naming the file or var
and what to do; never a Python traceback, never silent loss.

Each case is a tiny hand-written raw folder (whole files: users.csv, items.csv, orders.csv, events.csv).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest

from conftest import REPO, dbt

USERS_HEADER = "created_at,deleted_at,email_address,first_name,id,last_name,merged_at,parent_user_id\n"
ITEMS_HEADER = "adjective,category,created_at,id,modifier,name,price\n"
ORDERS_HEADER = "invoice_id,line_item_id,user_id,item_id,item_name,item_category,price,created_at,paid_at\n"
EVENTS_HEADER = "event_id,event_time,user_id,event_name,platform,parameter_name,parameter_value\n"
GOOD = {
    "users.csv": USERS_HEADER
    + "2014-01-01 10:00:00,None,a@example.com,Ann,1,Lee,None,None\n"
    + "2014-01-02 10:00:00,None,b@example.com,Bob,2,Ray,2015-01-01 00:00:00,1.0\n"
    + "".join(f"2014-01-0{i} 10:00:00,None,u{i}@example.com,U{i},{i},Doe,None,None\n" for i in range(3, 8)),
    "items.csv": ITEMS_HEADER
    + "fuzzy,contraption,2014-01-15 21:36:09,2512.0,carrying_case,fuzzy contraption carrying_case,150.0\n"
    + ",tool,2013-02-25 12:23:18,1312.0,how-to-manual,tool how-to-manual,0.0\n",
    "orders.csv": ORDERS_HEADER
    + "100.0,1000.0,1.0,2512.0,fuzzy contraption carrying_case,contraption,150.0,"
    + "2016-01-01 10:00:00,2016-01-01 10:05:00\n"
    + "100.0,1001.0,2.0,1312.0,tool how-to-manual,tool,0.0,2016-01-01 10:00:00,None\n"
    + "101.0,1002.0,1.0,2512.0,fuzzy contraption carrying_case,contraption,150.0,"
    + "2016-02-01 10:00:00,2016-02-01 10:05:00\n"
    # the segmentation models need a few customers with a sale
    + "".join(
        f"10{i}.0,100{i}.0,{i}.0,2512.0,fuzzy contraption carrying_case,contraption,{i}0.0,"
        f"2016-0{i}-01 10:00:00,2016-0{i}-01 10:05:00\n"
        for i in range(3, 8)
    ),
    "events.csv": EVENTS_HEADER
    + "1,2016-01-01 09:00:00,1.0,view_item,web,item_id,2512.0\n"
    + "1,2016-01-01 09:00:00,1.0,view_item,web,referrer,home\n",
}

ORDER_LINE = "fuzzy contraption carrying_case,contraption,150.0"
# orders and events lines that must each end in marts.data_quality_issues: (table, record key, reason)
BAD_ORDERS = {
    "2000.0": f"200.0,2000.0,1.0,2512.0,{ORDER_LINE},2018-06-2,None\n",
    "2001.0": f"201.0,2001.0,1.0,2512.0,{ORDER_LINE},2018-06-29 10:,None\n",
    "1e20": f"202.0,1e20,1.0,2512.0,{ORDER_LINE},2016-04-01 10:00:00,None\n",
    "2003.0": f"12.5,2003.0,1.0,2512.0,{ORDER_LINE},2016-04-01 10:00:00,None\n",
    "2004.0": f"204.0,2004.0,-3,2512.0,{ORDER_LINE},2016-04-01 10:00:00,None\n",
}
BAD_EVENTS = {
    "2": "2,2016-01-02 09:00:00,1.0,,web,item_id,2512.0\n",
    "3": "3,2016-01-03 09:00:00,1.0,view_item,smart fridge,item_id,2512.0\n",
    "4": "4,2018-06-2,1.0,view_item,web,item_id,2512.0\n",
}
QUARANTINE_CASES = {
    "truncated_date": ("orders", "2000.0", "unparseable_timestamp"),
    "truncated_time": ("orders", "2001.0", "unparseable_timestamp"),
    "id_1e20": ("orders", "1e20", "invalid_id"),
    "id_12.5": ("orders", "2003.0", "invalid_id"),
    "id_negative": ("orders", "2004.0", "invalid_id"),
    "empty_event_name": ("events", "2", "empty_event_name"),
    "unknown_platform": ("events", "3", "unknown_platform"),
    "truncated_event_time": ("events", "4", "unparseable_timestamp"),
}


def _raw_folder(base: Path, changes: dict[str, str | None], name: str = "raw") -> Path:
    raw = base / name
    raw.mkdir(parents=True)
    for file_name, text in {**GOOD, **changes}.items():
        if text is not None:
            (raw / file_name).parent.mkdir(parents=True, exist_ok=True)
            (raw / file_name).write_text(text)
    return raw


def _build(
    base: Path,
    raw: Path,
    db: Path | None = None,
    select: list[str] | None = None,
    python_models: bool = False,
    **dbt_vars,
) -> subprocess.CompletedProcess:
    return dbt(
        [
            "build",
            # the Python models (segments, predictions) need more customers than these tiny folders have,
            # unless there is none at all
            *([] if python_models else ["--exclude", "path:python_models+"]),
            *(["--select", *select, "--indirect-selection", "cautious"] if select else []),
        ],
        db=db or base / "warehouse.duckdb",
        target=base / "target",
        dbt_vars={"shop_raw_path": str(raw), **dbt_vars},
        check=False,
    )


def _output(result: subprocess.CompletedProcess) -> str:
    return result.stdout + result.stderr


def _assert_no_traceback(result: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in _output(result), (
        f"a Python traceback reached the user\n{_output(result)[-4000:]}"
    )


def _lines_with(result: subprocess.CompletedProcess, text: str) -> list[str]:
    return [line for line in _output(result).splitlines() if text in line]


def _count(db: Path, sql: str, params: list | None = None):
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql, params or []).fetchone()[0]


@pytest.fixture(scope="module")
def quoted_build(tmp_path_factory) -> tuple[subprocess.CompletedProcess, Path]:
    """The good folder under a name holding a quote, built: (dbt's result, warehouse)."""
    base = tmp_path_factory.mktemp("quoted")
    raw = _raw_folder(base, {}, name="the shop's raw")
    return _build(base, raw), base / "warehouse.duckdb"


@pytest.fixture(scope="module")
def quarantine_build(tmp_path_factory) -> tuple[subprocess.CompletedProcess, Path]:
    base = tmp_path_factory.mktemp("quarantine")
    raw = _raw_folder(
        base,
        {
            "orders.csv": GOOD["orders.csv"] + "".join(BAD_ORDERS.values()),
            "events.csv": GOOD["events.csv"] + "".join(BAD_EVENTS.values()),
        },
    )
    return _build(base, raw), base / "warehouse.duckdb"


@pytest.mark.slow
def test_a_path_with_a_quote_builds(quoted_build):
    result, db = quoted_build
    _assert_no_traceback(result)
    assert result.returncode == 0, _output(result)[-4000:]
    assert _count(db, "select count(*) from marts.fct_orders") == 7


@pytest.mark.slow
def test_the_folder_of_bad_values_builds(quarantine_build):
    result, _ = quarantine_build
    _assert_no_traceback(result)
    assert result.returncode == 0, _output(result)[-4000:]


@pytest.mark.slow
@pytest.mark.parametrize("case", sorted(QUARANTINE_CASES))
def test_a_bad_value_is_reported_with_its_reason(quarantine_build, case):
    table, key, reason = QUARANTINE_CASES[case]
    _, db = quarantine_build
    with duckdb.connect(str(db), read_only=True) as con:
        reasons = {
            row[0]
            for row in con.execute(
                "select reason_code from marts.data_quality_issues"
                " where source_table = ? and split_part(record_key, '/', 1) = ?",
                [table, key],
            ).fetchall()
        }
    assert reason in reasons, f"{table} {key}: reasons {sorted(reasons)}"


BAD_VARS = {
    "sql_in_shop_raw_path": ({"shop_raw_path": "x'); drop table marts.fct_orders; --"}, "shop_raw_path", []),
    "sql_in_as_of_date": (
        {"as_of_date": "x'); drop table marts.fct_orders; --"},
        "as_of_date",
        ["YYYY-MM-DD"],
    ),
    "unknown_source_system": ({"source_system": "shopify"}, "source_system", ["shop", "online_retail"]),
    "as_of_date_yesterday": ({"as_of_date": "yesterday"}, "as_of_date", ["YYYY-MM-DD"]),
}


@pytest.mark.slow
@pytest.mark.parametrize("case", sorted(BAD_VARS))
def test_a_bad_var_is_refused_by_name_and_changes_nothing(quoted_build, tmp_path, case):
    """On an existing warehouse: the build stops with one line naming the var and what it accepts, and
    marts.fct_orders is still there with its rows."""
    dbt_vars, name, accepted = BAD_VARS[case]
    built, built_db = quoted_build
    assert built.returncode == 0
    db = tmp_path / "warehouse.duckdb"
    shutil.copy(built_db, db)
    before = _count(db, "select count(*) from marts.fct_orders")
    result = dbt(
        ["build"],
        db=db,
        target=tmp_path / "target",
        dbt_vars={"shop_raw_path": str(tmp_path), **dbt_vars},
        check=False,
    )
    _assert_no_traceback(result)
    assert result.returncode != 0, _output(result)[-4000:]
    lines = _lines_with(result, f"var {name}=")
    assert lines and all(text in lines[0] for text in accepted), _output(result)[-4000:]
    assert _count(db, "select count(*) from marts.fct_orders") == before


BAD_FILES = {  # the change, and what one line of the output must say
    "missing_column": ({"orders.csv": GOOD["orders.csv"].replace(",paid_at\n", "\n", 1)}, ["orders.csv"]),
    "wrong_header": (
        {"users.csv": GOOD["users.csv"].replace("email_address", "e_mail", 1)},
        ["shop raw file users.csv", "header"],
    ),
    "no_header": ({"items.csv": GOOD["items.csv"].split("\n", 1)[1]}, ["shop raw file items.csv", "header"]),
    "mixed_layouts": (
        {"events/landed_on=2016-01-02/events.csv": GOOD["events.csv"].replace("2016-01-01", "2016-01-02")},
        ["shop raw file events", "not both"],
    ),
    "not_in_layout": (
        {"extra/orders_backup.csv": GOOD["orders.csv"]},
        ["shop raw file orders_backup.csv", "not in a layout"],
    ),
}


@pytest.mark.slow
@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_a_malformed_file_stops_the_build_naming_it(tmp_path, case):
    changes, message = BAD_FILES[case]
    # the staging models and the tests on them only: a bad file stops the build there
    result = _build(tmp_path, _raw_folder(tmp_path, changes), select=["staging.shop"])
    _assert_no_traceback(result)
    assert result.returncode != 0, _output(result)[-4000:]
    lines = [line for line in _lines_with(result, message[0]) if all(text in line for text in message)]
    assert lines, f"{case}: no line says {message}\n{_output(result)[-4000:]}"


@pytest.mark.slow
def test_header_only_files_build_with_zero_rows(tmp_path):
    """orders.csv and events.csv hold their header only: the build passes, Python models included, the marts
    are empty, the quality summary counts 0 rows, not null, and a warning says there is no customer."""
    raw = _raw_folder(tmp_path, {"orders.csv": ORDERS_HEADER, "events.csv": EVENTS_HEADER})
    result = _build(tmp_path, raw, python_models=True)
    _assert_no_traceback(result)
    assert result.returncode == 0, _output(result)[-6000:]
    db = tmp_path / "warehouse.duckdb"
    assert _count(db, "select count(*) from marts.fct_orders") == 0
    with duckdb.connect(str(db), read_only=True) as con:
        counts = con.execute(
            "select source_table, raw_rows, clean_rows, quarantined_rows from marts.data_quality_summary"
            " where source_table in ('orders', 'events') and reason_code = '_total' order by all"
        ).fetchall()
    assert counts == [("events", 0, 0, 0), ("orders", 0, 0, 0)]
    python_models = sorted(path.stem for path in (REPO / "python_models").rglob("*.py"))
    assert python_models
    for model in python_models:
        assert _count(db, f"select count(*) from marts.{model}") == 0, model
    warned = [line for line in _lines_with(result, "assert_there_are_customers_to_segment") if "WARN" in line]
    assert warned, f"no warning names assert_there_are_customers_to_segment\n{_output(result)[-4000:]}"
