"""Every model has a primary-key test, for either source system: unique + not_null on one column, a
unique_combination test, or a unique test on a column whose not_null constraint the contract enforces.

Read from the manifest of `dbt parse`; the offenders are listed by name.
"""

from __future__ import annotations

import json
from collections import defaultdict

import pytest

from conftest import dbt


@pytest.fixture(scope="module", params=["shop", "online_retail"])
def manifest(request, tmp_path_factory) -> dict:
    base = tmp_path_factory.mktemp(f"parse_{request.param}")
    dbt(
        ["parse"],
        db=base / "warehouse.duckdb",
        target=base / "target",
        dbt_vars={"source_system": request.param},
    )
    return json.loads((base / "target" / "manifest.json").read_text())


def _models_without_primary_key(manifest: dict) -> list[str]:
    unique, not_null, combination = defaultdict(set), defaultdict(set), set()
    for node in manifest["nodes"].values():
        if node["resource_type"] != "test" or not node.get("attached_node"):
            continue
        name = (node.get("test_metadata") or {}).get("name")
        if name == "unique":
            unique[node["attached_node"]].add(node["column_name"])
        elif name == "not_null":
            not_null[node["attached_node"]].add(node["column_name"])
        elif name == "unique_combination":
            combination.add(node["attached_node"])
    offenders = []
    for unique_id, node in manifest["nodes"].items():
        if node["resource_type"] != "model":
            continue
        constrained = {
            column
            for column, spec in node["columns"].items()
            if any(c["type"] in ("not_null", "primary_key") for c in spec.get("constraints", []))
        }
        if not (
            unique_id in combination
            or unique[unique_id] & not_null[unique_id]
            or unique[unique_id] & constrained
        ):
            offenders.append(node["name"])
    return sorted(offenders)


def test_every_model_has_a_primary_key_test(manifest):
    models = [n for n in manifest["nodes"].values() if n["resource_type"] == "model"]
    assert len(models) > 20, "the manifest holds too few models to be the project's"
    offenders = _models_without_primary_key(manifest)
    assert not offenders, f"models without a primary-key test: {offenders}"
