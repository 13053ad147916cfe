"""A warehouse file held by another process stops dbt with one line naming the file and what to do."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from conftest import dbt
from ecom_analytics.warehouse_lock import lock_message

HOLD = (
    "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('locked', flush=True); time.sleep(120)"
)


def test_lock_message_names_the_file_and_the_holder():
    error = (
        'IO Error: Could not set lock on file "/x/w.duckdb": Conflicting lock is held in '
        "/usr/bin/python3 (PID 42). See also https://duckdb.org/docs/stable/connect/concurrency"
    )
    message = lock_message("/x/w.duckdb", error)
    assert message is not None and "\n" not in message
    assert "/x/w.duckdb is locked by /usr/bin/python3 (PID 42)" in message and "ECOM_DUCKDB_PATH" in message
    assert lock_message("/x/w.duckdb", "IO Error: disk full") is None


@pytest.mark.slow
def test_dbt_on_a_locked_warehouse_says_so_in_one_line(tmp_path):
    db = tmp_path / "warehouse.duckdb"
    subprocess.run([sys.executable, "-c", f"import duckdb; duckdb.connect({str(db)!r}).close()"], check=True)
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(db)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        started = time.monotonic()
        result = dbt(["run-operation", "validate_vars"], db=db, target=tmp_path / "target", check=False)
        output = result.stdout + result.stderr
        assert result.returncode != 0
        assert "Traceback" not in output, output[-3000:]
        assert f"The warehouse {db} is locked by" in output, output[-3000:]
        assert f"(PID {holder.pid})" in output
        assert time.monotonic() - started < 120
    finally:
        holder.kill()
        holder.wait()
