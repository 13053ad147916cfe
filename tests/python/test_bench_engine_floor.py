"""The benchmark's engine floor (bench/engine_floor.py) is the project's DAG with trivial models: it builds,
and it has the same nodes, edges, materializations, contracts and tests as the project. No timings here."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from bench import run

from conftest import dbt

KINDS = ("model", "seed", "test", "unit_test")


@pytest.fixture(scope="module")
def project_manifest(tmp_path_factory) -> dict:
    target = tmp_path_factory.mktemp("engine_floor_parse") / "target"
    dbt(["parse"], db=target.parent / "unused.duckdb", target=target)
    return json.loads((target / "manifest.json").read_text())


@pytest.fixture(scope="module")
def mirror(project_manifest, tmp_path_factory) -> dict:
    """The benchmark's engine floor (bench.run.bench_engine_floor: mirror, then two builds) for a build of
    every node of the project."""
    base = tmp_path_factory.mktemp("engine_floor")
    everything = {**project_manifest["nodes"], **project_manifest["unit_tests"]}
    ran = [{"unique_id": uid} for uid, node in everything.items() if node["resource_type"] in KINDS]
    target = base / "target"
    target.mkdir()
    (target / "manifest.json").write_text(json.dumps(project_manifest))
    (target / "run_results.json").write_text(json.dumps({"results": ran}))
    measured = run.bench_engine_floor(target, base / "floor")
    mirror_target = base / "floor" / "project" / "target"
    return {
        "measured": measured,
        "manifest": json.loads((mirror_target / "manifest.json").read_text()),
        "results": json.loads((mirror_target / "run_results.json").read_text())["results"],
    }


def _shape(manifest: dict) -> dict:
    """What the floor must keep of a project: its models and seeds, their edges and configs, its tests."""
    everything = {**manifest["nodes"], **manifest["unit_tests"]}
    names = {uid: n["name"] for uid, n in everything.items() if n["resource_type"] in ("model", "seed")}
    models = {
        n["name"]: (
            n["config"]["materialized"],
            n["language"],
            n["config"]["contract"]["enforced"],
            bool(n["config"]["persist_docs"].get("columns")),
            sorted(names[p] for p in manifest["parent_map"][uid] if p in names),
        )
        for uid, n in everything.items()
        if n["resource_type"] == "model"
    }
    tests_by_node = Counter(
        next((names[p] for p in manifest["parent_map"][uid] if p in names), None)
        for uid, n in everything.items()
        if n["resource_type"] == "test"
    )
    return {
        "models": models,
        "seeds": sorted(n["name"] for n in everything.values() if n["resource_type"] == "seed"),
        "unit_tests": sorted(
            (n["model"], n["name"]) for n in everything.values() if n["resource_type"] == "unit_test"
        ),
        "tests_by_node": tests_by_node,
    }


def test_the_mirror_has_the_projects_shape(project_manifest, mirror):
    project, floor = _shape(project_manifest), _shape(mirror["manifest"])
    assert len(project["models"]) > 40 and sum(project["tests_by_node"].values()) > 150  # not vacuous
    assert floor["models"] == project["models"]
    assert floor["seeds"] == project["seeds"]
    assert floor["unit_tests"] == project["unit_tests"]
    assert floor["tests_by_node"] == project["tests_by_node"]


def test_every_node_of_the_mirror_builds(mirror):
    statuses = Counter(result["status"] for result in mirror["results"])
    assert set(statuses) <= {"success", "pass"}, statuses
    assert (
        sum(statuses.values()) == mirror["measured"]["nodes"] == sum(mirror["measured"]["by_kind"].values())
    )
