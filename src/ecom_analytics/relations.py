"""What a dbt Python model returns when there is no customer to fit (a header-only landing, no sale yet).

The model still builds its table, with no row and the columns and types it has on a normal day: the SQL marts
and the tests downstream then run on zero rows instead of being skipped, and the next good landing fills the
table without --full-refresh.
"""

from __future__ import annotations


def is_empty(relation) -> bool:
    """The relation has no row (at most one row is read)."""
    return relation.limit(1).fetchone() is None


def empty_relation(session, types: dict[str, str]):
    """A relation with no row and exactly the columns of `types`, in its order, with its DuckDB types."""
    columns = ", ".join(f"cast(null as {kind}) as {name}" for name, kind in types.items())
    return session.sql(f"select {columns} limit 0")
