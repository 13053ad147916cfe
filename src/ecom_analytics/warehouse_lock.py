"""A dbt-duckdb plugin (profiles.yml, `plugins`): "the warehouse file is locked" as one clear line.

DuckDB lets one process write a database file. When another process holds it (a BI tool, a notebook, a second
dbt run), dbt-duckdb's connect raises an IOException that dbt prints as a Python traceback. This plugin runs
just before that connect (`update_connection_config`), tries the file once, and raises a dbt error naming the
file, the process holding it and what to do instead.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import duckdb
from dbt.adapters.duckdb.plugins import BasePlugin
from dbt_common.exceptions import DbtRuntimeError


def lock_message(path: str, error: str) -> str | None:
    """The one-line message for DuckDB's lock error on `path`; None when `error` is another error."""
    if "Could not set lock on file" not in error:
        return None
    holder = re.search(r"Conflicting lock is held in (.+?) \(PID (\d+)\)", error)
    who = f" by {holder.group(1)} (PID {holder.group(2)})" if holder else " by another process"
    return (
        f"The warehouse {path} is locked{who}: close that program (a BI tool, a notebook or another dbt run; "
        "BI tools should read data/published/ instead), or set ECOM_DUCKDB_PATH to another file."
    )


class Plugin(BasePlugin):
    def update_connection_config(self, creds: Any, config: dict[str, Any]) -> None:
        path = str(creds.path)
        if path.startswith(":memory:") or not Path(path).exists():
            return
        try:
            duckdb.connect(path).close()
        except duckdb.IOException as exc:
            message = lock_message(path, str(exc))
            if message:
                raise DbtRuntimeError(message) from None
            raise
