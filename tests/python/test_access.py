"""Groups and access (models/_groups.yml, dbt_project.yml): staging is private to the ingestion group,
intermediate is protected, every mart is public.

The parse test copies the dbt project to a temporary folder, adds one probe mart in the sales group and
parses it twice: reading a protected intermediate model parses, reading a private staging model is refused.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import REPO, copy_dbt_project, dbt

# Access by the first folder under models/; marts and the Python models are public.
LAYER_ACCESS = {"staging": "private", "intermediate": "protected", "semantic": "protected"}
PROBE = "models/marts/sales/probe_cross_group_ref.sql"

pytestmark = pytest.mark.slow


def parse(project: Path, target: Path, db: Path):
    return dbt(["parse", "--project-dir", str(project)], db=db, target=target, check=False)


@pytest.fixture(scope="module")
def manifest(tmp_path_factory) -> dict:
    base = tmp_path_factory.mktemp("access_manifest")
    result = parse(REPO, base / "target", base / "w.duckdb")
    assert result.returncode == 0, result.stdout[-4000:]
    return json.loads((base / "target" / "manifest.json").read_text())


def test_every_model_has_a_group_and_the_layer_access(manifest):
    groups = {g["name"]: g for g in manifest["groups"].values()}
    for group in groups.values():
        assert group["owner"].get("name") and group["owner"].get("email"), group
    models = [n for n in manifest["nodes"].values() if n["resource_type"] == "model"]
    assert models
    for node in models:
        name, layer = node["name"], node["fqn"][1]
        assert node["group"] in groups, f"{name} has no known group: {node['group']}"
        expected = LAYER_ACCESS.get(layer, "public")
        assert node["access"] == expected, f"{name} ({layer}): access {node['access']}, expected {expected}"
    layers = {n["fqn"][1] for n in models}
    assert {"staging", "intermediate", "marts"} <= layers


def test_a_cross_group_ref_of_a_private_model_fails_parsing(tmp_path):
    project = copy_dbt_project(tmp_path / "project")
    probe = project / PROBE
    db = tmp_path / "w.duckdb"

    # Control: a mart of the sales group may read a protected intermediate model of another group.
    probe.write_text("select * from {{ ref('int_order_lines') }}\n")
    allowed = parse(project, tmp_path / "target_allowed", db)
    assert allowed.returncode == 0, f"the control probe should parse:\n{allowed.stdout[-4000:]}"

    # The same mart reading a private staging model of the ingestion group is refused.
    probe.write_text("select * from {{ ref('stg_shop__orders') }}\n")
    refused = parse(project, tmp_path / "target_refused", db)
    output = refused.stdout + refused.stderr
    assert refused.returncode != 0, "dbt parsed a ref of a private staging model from another group"
    assert "probe_cross_group_ref" in output and "stg_shop__orders" in output, output[-4000:]
    assert "private" in output, output[-4000:]
