"""Bad raw input stops the build with a clear message naming the file and the problem, never a traceback.

Each case is a tiny hand-written raw folder; `dbt build` of the shop staging runs on it in a subprocess.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import dbt

GOOD = {
    "users.csv": (
        "created_at,deleted_at,email_address,first_name,id,last_name,merged_at,parent_user_id\n"
        "2014-01-01 10:00:00,None,a@example.com,Ann,1,Lee,None,None\n"
        "2014-01-02 10:00:00,None,b@example.com,Bob,2,Ray,2015-01-01 00:00:00,1.0\n"
    ),
    "items.csv": (
        "adjective,category,created_at,id,modifier,name,price\n"
        "fuzzy,contraption,2014-01-15 21:36:09,2512.0,carrying_case,fuzzy contraption carrying_case,150.0\n"
        ",tool,2013-02-25 12:23:18,1312.0,how-to-manual,tool how-to-manual,0.0\n"
    ),
    "orders.csv": (
        "invoice_id,line_item_id,user_id,item_id,item_name,item_category,price,created_at,paid_at\n"
        "100.0,1000.0,1.0,2512.0,fuzzy contraption carrying_case,contraption,150.0,"
        "2016-01-01 10:00:00,2016-01-01 10:05:00\n"
        "100.0,1001.0,2.0,1312.0,tool how-to-manual,tool,0.0,2016-01-01 10:00:00,None\n"
        "101.0,1002.0,1.0,2512.0,fuzzy contraption carrying_case,contraption,150.0,"
        "2016-02-01 10:00:00,2016-02-01 10:05:00\n"
    ),
    "events.csv": (
        "event_id,event_time,user_id,event_name,platform,parameter_name,parameter_value\n"
        "1,2016-01-01 09:00:00,1.0,view_item,web,item_id,2512.0\n"
        "1,2016-01-01 09:00:00,1.0,view_item,web,referrer,home\n"
    ),
}


def _raw_folder(base: Path, changes: dict[str, str | None]) -> Path:
    raw = base / "raw"
    raw.mkdir(parents=True)
    for name, text in {**GOOD, **changes}.items():
        if text is not None:
            (raw / name).write_text(text)
    return raw


def _build(tmp_path: Path, raw: Path):
    # staging views do not read rows: the intermediate tables are where a ragged row is met
    return dbt(
        ["run", "--select", "staging.shop", "+int_shop__events_checked"],
        db=tmp_path / "warehouse.duckdb",
        target=tmp_path / "target",
        dbt_vars={"source_system": "shop", "shop_raw_path": str(raw)},
        check=False,
    )


CASES = {
    "missing_column": (
        {"orders.csv": GOOD["orders.csv"].replace(",paid_at\n", "\n", 1)},
        "orders.csv",
        ["missing column 'paid_at'"],
    ),
    "wrong_header": (
        {"users.csv": GOOD["users.csv"].replace("email_address", "e_mail", 1)},
        "users.csv",
        ["wrong header", "missing column 'email_address'", "unexpected column 'e_mail'"],
    ),
    "wrong_field_count": (
        {"events.csv": GOOD["events.csv"] + "2,2016-01-01 09:05:00,1.0,view_item,web,item_id,2512.0,oops\n"},
        "events.csv",
        ["Expected Number of Columns: 7 Found: 8", "CSV Error on Line: 4"],
    ),
    "missing_file": ({"items.csv": None}, "items.csv", ["file not found"]),
    # orders/events may land as one file per day: every landed file's header is checked
    "landed_file_wrong_header": (
        {
            "orders.csv": None,
            "orders_2016-01-01.csv": GOOD["orders.csv"],
            "orders_2016-02-01.csv": GOOD["orders.csv"].replace(
                "item_name,item_category", "item_category,item_name"
            ),
        },
        "orders_2016-02-01.csv",
        ["wrong header", "columns in the wrong order"],
    ),
    # the monthly file would hold the days' rows again
    "month_landed_twice": (
        {
            "orders.csv": None,
            "orders_2016-01.csv": GOOD["orders.csv"],
            "orders_2016-01-01.csv": GOOD["orders.csv"],
            "orders_2016-02-01.csv": GOOD["orders.csv"],
        },
        "orders_2016-01.csv",
        ["the month 2016-01 also lands as daily files", "orders_2016-01-01.csv", "not both"],
    ),
    "mixed_layouts": (
        {"events_2016-01-01.csv": GOOD["events.csv"]},
        "events.csv",
        ["found together with 1 other events_*.csv file(s)", "not both"],
    ),
}


@pytest.mark.slow
def test_good_folder_builds(tmp_path):
    """The control case: the same tiny folder without the fault builds cleanly."""
    result = _build(tmp_path, _raw_folder(tmp_path, {}))
    assert result.returncode == 0, result.stdout[-3000:]


@pytest.mark.slow
@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_raw_file_gives_a_clear_error(tmp_path, case):
    changes, file_name, problems = CASES[case]
    raw = _raw_folder(tmp_path, changes)
    result = _build(tmp_path, raw)
    output = result.stdout + result.stderr
    assert result.returncode != 0, f"{case}: dbt succeeded on bad input\n{output[-3000:]}"
    assert "Traceback" not in output, f"{case}: a Python traceback reached the user\n{output[-3000:]}"
    assert f"{raw}/{file_name}" in output, f"{case}: the message does not name {file_name}\n{output[-3000:]}"
    for problem in problems:
        assert problem in output, f"{case}: the message does not say {problem!r}\n{output[-3000:]}"
