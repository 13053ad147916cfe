"""dbt's own floor for this project's shape: the same DAG with two-row models, built by the same dbt.

`mirror_project` writes a dbt project holding every node a `dbt build` ran (from its manifest.json and
run_results.json): the same models with the same names, edges, materializations, languages, contracts and
persisted docs, the same seeds, as many data tests on the same models and seeds, the same unit tests. Only
the work differs: every model selects two constant rows. `dbt build` on the mirror, run a second time (like a
build with nothing new), is what dbt itself costs for this many nodes - start-up, parsing, compiling, running
and logging each node - and no data work in the project can make a `dbt build` cheaper than that.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

PROFILE = "engine_floor"
# Every mirrored model has these columns; an enforced contract declares them with these types.
COLUMNS = {"id": "integer", "name": "varchar", "amount": "double"}
ROWS = [{"id": 1, "name": "a", "amount": 2.0}, {"id": 2, "name": "b", "amount": 3.0}]
CONSTANT_ROWS = "select 1 as id, 'a' as name, 2.0::double as amount union all select 2, 'b', 3.0::double"


def ran_nodes(manifest: dict, run_results: dict) -> dict[str, dict]:
    """The manifest entries of the models, seeds, data tests and unit tests the build ran."""
    entries = {**manifest["nodes"], **manifest.get("unit_tests", {})}
    return {
        result["unique_id"]: entries[result["unique_id"]]
        for result in run_results["results"]
        if entries.get(result["unique_id"], {}).get("resource_type") in ("model", "seed", "test", "unit_test")
    }


def _sql_model(materialized: str, parents: list[str]) -> str:
    if not parents:
        body = CONSTANT_ROWS
    else:
        # Every parent is read, so the edges are the project's; only the first one brings rows.
        body = "\nunion all\n".join(
            f"select id, name, amount from {{{{ ref('{parent}') }}}}" + (" where false" if i else "")
            for i, parent in enumerate(parents)
        )
    if materialized == "incremental":
        body = (
            f"select * from (\n{body}\n) as unioned\n"
            "{% if is_incremental() %}where id > (select max(id) from {{ this }}){% endif %}"
        )
    unique_key = ", unique_key='id'" if materialized == "incremental" else ""
    return f"{{{{ config(materialized='{materialized}'{unique_key}) }}}}\n{body}\n"


def _python_model(parents: list[str]) -> str:
    extra_refs = "".join(f'    dbt.ref("{parent}")\n' for parent in parents[1:])
    rows = f'dbt.ref("{parents[0]}")' if parents else f'session.sql("{CONSTANT_ROWS}")'
    return f'def model(dbt, session):\n    dbt.config(materialized="table")\n{extra_refs}    return {rows}\n'


def _rows(n: int) -> list[dict]:
    # Fresh dicts: yaml.safe_dump writes a shared one as an anchor and aliases.
    return [dict(row) for row in ROWS[:n]]


def _not_null_tests(names: list[str]) -> list[dict]:
    return [{"not_null": {"name": name}} for name in names]


def mirror_project(manifest: dict, run_results: dict, dest: Path, db_path: Path, threads: int) -> dict:
    """Write the two-row mirror of the build into `dest`; returns how many nodes of each kind it holds."""
    ran = ran_nodes(manifest, run_results)
    shutil.rmtree(dest, ignore_errors=True)
    for folder in ("models", "seeds", "tests"):
        (dest / folder).mkdir(parents=True)
    names = {uid: node["name"] for uid, node in ran.items() if node["resource_type"] in ("model", "seed")}

    def parents(uid: str) -> list[str]:
        return [names[p] for p in manifest["parent_map"].get(uid, []) if p in names]

    by_kind: dict[str, list[str]] = {"model": [], "seed": [], "test": [], "unit_test": []}
    for uid in sorted(ran):
        by_kind[ran[uid]["resource_type"]].append(uid)

    # Generic tests become not_null tests on the same model or seed; the others singular tests.
    tests_on: dict[str, list[str]] = {}
    for number, uid in enumerate(by_kind["test"], start=1):
        test_name, on = f"mirror_test_{number:03d}", (parents(uid) or [None])[0]
        if ran[uid].get("test_metadata") and on:
            tests_on.setdefault(on, []).append(test_name)
        else:
            relation = f"{{{{ ref('{on}') }}}}" if on else f"({CONSTANT_ROWS})"
            (dest / "tests" / f"{test_name}.sql").write_text(
                f"select * from {relation} as t where id is null\n"
            )

    models = []
    for uid in by_kind["model"]:
        node, name = ran[uid], names[uid]
        if node["language"] == "python":
            (dest / "models" / f"{name}.py").write_text(_python_model(parents(uid)))
        else:
            (dest / "models" / f"{name}.sql").write_text(
                _sql_model(node["config"]["materialized"], parents(uid))
            )
        enforced = node["config"]["contract"]["enforced"]
        columns = [
            {
                "name": column,
                "description": column,
                **({"data_type": data_type} if enforced else {}),
                **(
                    {"data_tests": _not_null_tests(tests_on[name])}
                    if column == "id" and name in tests_on
                    else {}
                ),
            }
            for column, data_type in COLUMNS.items()
        ]
        config = {
            "persist_docs": node["config"].get("persist_docs") or {},
            "contract": {"enforced": enforced},
        }
        models.append(
            {"name": name, "description": f"mirror of {name}", "config": config, "columns": columns}
        )

    unit_tests = []
    for uid in by_kind["unit_test"]:
        node = ran[uid]
        model_uid = next(u for u, name in names.items() if name == node["model"])
        inputs = parents(model_uid)
        unit_test = {
            "name": node["name"],
            "model": node["model"],
            "given": [{"input": f"ref('{parent}')", "rows": _rows(1)} for parent in inputs],
            "expect": {"rows": _rows(1 if inputs else 2)},
        }
        if ran[model_uid]["config"]["materialized"] == "incremental":
            # dbt needs to be told what is_incremental() answers in a unit test of an incremental model.
            unit_test["overrides"] = {"macros": {"is_incremental": False}}
        unit_tests.append(unit_test)

    seeds = []
    for uid in by_kind["seed"]:
        (dest / "seeds" / f"{names[uid]}.csv").write_text("id,name,amount\n1,a,2.0\n2,b,3.0\n")
        if names[uid] in tests_on:
            seeds.append(
                {
                    "name": names[uid],
                    "columns": [{"name": "id", "data_tests": _not_null_tests(tests_on[names[uid]])}],
                }
            )

    def dump(path: Path, content: dict) -> None:
        path.write_text(yaml.safe_dump(content, sort_keys=False))

    dump(dest / "models" / "_mirror__models.yml", {"models": models, "unit_tests": unit_tests})
    dump(dest / "seeds" / "_mirror__seeds.yml", {"seeds": seeds})
    dump(
        dest / "dbt_project.yml",
        {"name": PROFILE, "version": "1.0.0", "config-version": 2, "profile": PROFILE},
    )
    output = {"type": "duckdb", "path": str(db_path), "threads": threads}
    dump(dest / "profiles.yml", {PROFILE: {"target": "dev", "outputs": {"dev": output}}})
    return {kind: len(uids) for kind, uids in by_kind.items()}
