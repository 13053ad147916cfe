"""Not-null rules: enforced by the database where it can, by a data test where it cannot.

A `not_null` constraint on a table or incremental model with an enforced contract is part of the table's DDL:
the build fails on a null (every platform dbt supports enforces NOT NULL). A `not_null` data test on the same
column would scan the table again to prove what cannot happen, as one more node in every build. A view, or a
model without an enforced contract (the Python models), gets no DDL, so there the data test is the check.
"""

from __future__ import annotations

import json

import pytest

ENFORCING = ("table", "incremental")


@pytest.fixture(scope="module")
def manifest(shop_build) -> dict:
    return json.loads((shop_build.target / "manifest.json").read_text())


def _enforces_constraints(node: dict) -> bool:
    config = node["config"]
    return config["materialized"] in ENFORCING and config.get("contract", {}).get("enforced", False)


def _not_null_constrained(manifest: dict) -> list[tuple[dict, str]]:
    """(model, column) for every column that declares a not_null constraint."""
    return [
        (node, column)
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model"
        for column, spec in node["columns"].items()
        if any(c["type"] == "not_null" for c in spec.get("constraints", []))
    ]


def _not_null_tested(manifest: dict) -> set[tuple[str, str]]:
    """(model unique_id, column) for every not_null data test."""
    return {
        (node["attached_node"], node["column_name"])
        for node in manifest["nodes"].values()
        if node["resource_type"] == "test" and (node.get("test_metadata") or {}).get("name") == "not_null"
    }


def test_not_null_is_a_constraint_or_a_test_never_both(manifest):
    tested = _not_null_tested(manifest)
    constrained = _not_null_constrained(manifest)
    assert constrained, "no column declares a not_null constraint: the manifest is not the project's"
    problems = []
    for node, column in constrained:
        name, has_test = f"{node['name']}.{column}", (node["unique_id"], column) in tested
        if _enforces_constraints(node) and has_test:
            problems.append(f"{name}: the enforced constraint already rejects nulls; drop the test")
        if not _enforces_constraints(node) and not has_test:
            problems.append(
                f"{name}: a {node['config']['materialized']} without an enforced contract does not apply "
                "its not_null constraint; it needs a not_null data test"
            )
    assert not problems, "\n".join(problems)


def test_enforced_not_null_constraints_are_in_the_warehouse(manifest, shop_build):
    """The tables the build wrote reject nulls in every column whose contract says not_null."""
    expected = {
        (node["schema"], node["alias"], column.lower())
        for node, column in _not_null_constrained(manifest)
        if _enforces_constraints(node)
    }
    assert len(expected) > 40, f"only {len(expected)} enforced not_null columns: the contracts changed"
    schemas = sorted({schema for schema, _, _ in expected})
    placeholders = ", ".join("?" for _ in schemas)
    rows = shop_build.query(
        "select schema_name, table_name, lower(column_name), is_nullable from duckdb_columns() "
        f"where schema_name in ({placeholders})",
        schemas,
    )
    nullable = {(s, t, c): is_nullable for s, t, c, is_nullable in rows}
    missing = sorted(f"{s}.{t}.{c}" for s, t, c in expected if (s, t, c) not in nullable)
    assert not missing, f"not in the warehouse: {missing}"
    still_nullable = sorted(f"{s}.{t}.{c}" for s, t, c in expected if nullable[(s, t, c)])
    assert not still_nullable, f"declared not_null but the table accepts nulls: {still_nullable}"
