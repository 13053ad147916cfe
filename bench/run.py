"""`make bench`: time `dbt build` against the floor (plain DuckDB) and the peer (pandas) on the same data.

    python -m bench.run [--scales 1 10] [--big] [--workdir /tmp/ecom_bench] [--no-online-retail]

For every dataset (generated shop data at each scale; the real UCI Online Retail file when ../shared/data has
it):
1. `dbt build` (every model, seed and data test) in a subprocess on a fresh warehouse file of its own;
2. the floor (`bench.floor`: one DuckDB SQL script + scikit-learn k-means) in a subprocess;
3. the peer (`bench.peer_pandas`: pandas + scikit-learn) in a subprocess;
4. the headline figures of all three must agree (`bench.headline`), else it stops with the differences;
5. wall time, CPU time and peak memory of each, their ratios, and dbt's slowest nodes go to
   bench/results/results.md and results.json, with the machine they ran on;
6. on shop data: the build after one more day lands (bench_incremental) and, up to scale 10, the full build
   again without the prediction layer (bench_prediction_layer), to show what that layer costs.

Peak memory: while a process runs it is polled every 0.1 s, summing the resident set (VmRSS, from
/proc/<pid>/statm) of the process and all its descendants (`peak_rss_tree_mb`); when it ends, os.wait4 gives
the kernel's exact high-water mark of the largest single process (`max_rss_mb`, ru_maxrss). The reported peak
is the larger of the two: the poll can miss a spike shorter than 0.1 s, ru_maxrss cannot, but it does not add
up processes.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from bench import engine_floor, headline, uci_tenfold

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
RESULTS = REPO / "bench" / "results"
ONLINE_RETAIL = REPO.parent / "shared" / "data" / "online_retail" / "online_retail.csv.gz"
SEED = 42
# Shop data lands as one orders/events file per day, so the incremental build can be measured on it.
LAYOUT = "daily"
PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024
# The marts whose inputs make up "the same core outputs" the references compute.
CORE_MARTS = ("revenue_by_period", "item_rankings", "customer_rfm", "customer_segments")


class BenchError(RuntimeError):
    """The benchmark cannot report a number it trusts."""


# --- measuring a process tree ----------------------------------------------------------------------------


#: The most the build after one more day lands may take, as a share of the full build (issue 20's bound).
AFTER_DAY_BUDGET = {"shop scale 10": 0.30, "shop scale 100": 0.20}

#: The shop scale whose build measures dbt's fixed cost (a few hundred order lines).
FIXED_COST_SCALE = 0.01


def _children_map() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat") as fh:
                stat = fh.read()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    return children


def tree_rss_kb(pid: int) -> int:
    """Resident memory of `pid` and all its descendants, in kB (0 when it is gone)."""
    children = _children_map()
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            with open(f"/proc/{current}/statm") as fh:
                total += int(fh.read().split()[1]) * PAGE_KB
        except (OSError, IndexError, ValueError):
            pass
        todo.extend(children.get(current, []))
    return total


def measure(cmd: list[str], *, env: dict, log: Path, poll: float = 0.1) -> dict:
    """Run `cmd` from the repository root: wall and CPU seconds, peak memory, exit code; output to `log`."""
    log.parent.mkdir(parents=True, exist_ok=True)
    load_before = os.getloadavg()[0]
    with open(log, "w") as out:
        started = time.perf_counter()
        # Its own process group, so an interrupted benchmark stops dbt and DuckDB with it.
        proc = subprocess.Popen(
            cmd, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        peak_kb = 0
        try:
            while True:
                pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
                if pid:
                    break
                peak_kb = max(peak_kb, tree_rss_kb(proc.pid))
                time.sleep(poll)
        except BaseException:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait()
            raise
        wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    return {
        "command": " ".join(str(part) for part in cmd),
        "exit_code": proc.returncode,
        "wall_s": round(wall, 2),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
        "peak_rss_tree_mb": round(peak_kb / 1024, 1),
        "max_rss_mb": round(usage.ru_maxrss / 1024, 1),
        "peak_mb": round(max(peak_kb, usage.ru_maxrss) / 1024, 1),
        "load_avg_before": round(load_before, 2),
        "log": str(log),
    }


# --- the machine -----------------------------------------------------------------------------------------


def machine() -> dict:
    cpu_model = "unknown"
    with open("/proc/cpuinfo") as fh:
        for line in fh:
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    mem_kb = 0
    with open("/proc/meminfo") as fh:
        for line in fh:
            if line.startswith("MemTotal:"):
                mem_kb = int(line.split()[1])
    versions = {"python": platform.python_version()}
    for package in ("dbt-core", "dbt-duckdb", "duckdb", "pandas", "scikit-learn", "numpy"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = "not installed"
    return {
        "nproc": len(os.sched_getaffinity(0)),
        "memory_gb": round(mem_kb / 1024 / 1024, 1),
        "cpu_model": cpu_model,
        "kernel": platform.release(),
        "versions": versions,
    }


# --- one dataset -----------------------------------------------------------------------------------------


def base_env() -> dict:
    return {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(REPO / "src"), str(REPO)]),
        "DO_NOT_TRACK": "1",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
    }


def generate(scale: float, workdir: Path) -> tuple[Path, dict | None]:
    """Generated shop data for `scale`, landed as one file per day (reused when the same seed, scale and
    layout are already there)."""
    raw, truth = workdir / "raw", workdir / "truth"
    manifest = truth / "manifest.json"
    if manifest.exists() and (raw / "users.csv").exists():
        meta = json.loads(manifest.read_text())
        wanted = (float(scale), SEED, LAYOUT)
        if (float(meta.get("scale", -1)), meta.get("seed"), meta.get("layout")) == wanted:
            print(f"  data: reusing {raw}")
            return raw, None
    shutil.rmtree(workdir, ignore_errors=True)
    print(f"  data: generating scale {scale:g} into {raw}")
    cmd = [str(BIN / "python"), "-m", "ecom_analytics.generator", "--scale", str(scale), "--seed", str(SEED)]
    cmd += ["--out", str(raw), "--truth", str(truth), "--layout", LAYOUT]
    stats = measure(cmd, env=base_env(), log=workdir / "generate.log")
    if stats["exit_code"] != 0:
        raise BenchError(f"generator failed (exit {stats['exit_code']}), see {stats['log']}")
    return raw, stats


def _ancestors(manifest: dict, names: tuple[str, ...]) -> set[str]:
    nodes = {uid for uid, node in manifest["nodes"].items() if node.get("name") in names}
    todo = list(nodes)
    while todo:
        for parent in manifest["parent_map"].get(todo.pop(), []):
            if parent not in nodes:
                nodes.add(parent)
                todo.append(parent)
    return nodes


def dbt_nodes(target: Path) -> dict:
    """Per-node figures from run_results.json: status counts, slowest nodes, time in the core path."""
    results = json.loads((target / "run_results.json").read_text())["results"]
    manifest = json.loads((target / "manifest.json").read_text())
    core = _ancestors(manifest, CORE_MARTS)
    statuses: dict[str, int] = {}
    for result in results:
        statuses[result["status"]] = statuses.get(result["status"], 0) + 1
    by_time = sorted(results, key=lambda r: (-r["execution_time"], r["unique_id"]))
    kind = {"model": 0.0, "test": 0.0, "seed": 0.0, "unit_test": 0.0}
    for result in results:
        resource = result["unique_id"].split(".")[0]
        kind[resource] = kind.get(resource, 0.0) + result["execution_time"]
    return {
        "statuses": statuses,
        "failures": [r["unique_id"] for r in results if r["status"] in ("error", "fail", "runtime error")],
        "seconds_by_resource": {k: round(v, 2) for k, v in kind.items()},
        "core_models_s": round(
            sum(
                r["execution_time"]
                for r in results
                if r["unique_id"] in core and r["unique_id"].split(".")[0] == "model"
            ),
            2,
        ),
        "top_nodes": [
            {
                "node": r["unique_id"].split(".", 2)[-1],
                "kind": r["unique_id"].split(".")[0],
                "s": round(r["execution_time"], 2),
            }
            for r in by_time[:10]
        ],
    }


def bench_dataset(name: str, source: str, raw: Path, workdir: Path, rows: dict) -> dict:
    env = base_env()
    dbt_dir = workdir / "dbt"
    shutil.rmtree(dbt_dir, ignore_errors=True)
    dbt_dir.mkdir(parents=True)
    db, target = dbt_dir / "warehouse.duckdb", dbt_dir / "target"
    dbt_vars = {"source_system": source}
    if source == "shop":
        dbt_vars["shop_raw_path"] = str(raw)
        ref_args = ["--source", "shop", "--shop-raw-path", str(raw)]
    else:
        dbt_vars["online_retail_csv"] = str(raw)
        ref_args = ["--source", "online_retail", "--online-retail-csv", str(raw)]

    print(f"  dbt build ({name}) ...", flush=True)
    dbt_env = {**env, "ECOM_DUCKDB_PATH": str(db), "DBT_LOG_PATH": str(dbt_dir / "logs")}
    cmd = [str(BIN / "dbt"), "build", "--target-path", str(target), "--vars", json.dumps(dbt_vars)]
    dbt_stats = measure(cmd, env=dbt_env, log=dbt_dir / "dbt_build.log")
    nodes = dbt_nodes(target) if (target / "run_results.json").exists() else {}
    if dbt_stats["exit_code"] != 0:
        tail = Path(dbt_stats["log"]).read_text()[-3000:]
        raise BenchError(
            f"dbt build on {name} failed (exit {dbt_stats['exit_code']}); failing nodes: "
            f"{nodes.get('failures', '?')}\n{tail}"
        )
    dbt_stats["nodes"] = nodes

    measured = {"dbt": dbt_stats}
    results = {"dbt": headline.headline_from_marts(db)}
    for ref, module in (("floor", "bench.floor"), ("pandas", "bench.peer_pandas")):
        print(f"  {ref} ({name}) ...", flush=True)
        out = workdir / f"{ref}.json"
        out.unlink(missing_ok=True)
        cmd = [str(BIN / "python"), "-m", module, *ref_args, "--out", str(out)]
        stats = measure(cmd, env=env, log=workdir / f"{ref}.log")
        if stats["exit_code"] != 0:
            tail = Path(stats["log"]).read_text()[-3000:]
            raise BenchError(f"{ref} on {name} failed (exit {stats['exit_code']}):\n{tail}")
        result = json.loads(out.read_text())
        stats["inner"] = {
            k: v for k, v in result.items() if k.startswith("seconds_") or k in ("clean_lines", "segments_k")
        }
        measured[ref] = stats
        results[ref] = result

    problems = headline.check_agreement(results)
    if problems:
        raise BenchError(
            f"{name}: dbt, the floor and pandas disagree on the headline figures - no times reported:\n  "
            + "\n  ".join(problems)
        )
    head = results["dbt"]
    return {
        "dataset": name,
        "source": source,
        "raw": str(raw),
        "rows": rows,
        "headline": {
            "total_revenue": head["total_revenue"],
            "customers_with_sale": head["customers_with_sale"],
            "top10_items_by_net_units": head["top10_items_by_net_units"],
            "months_with_revenue": len(head["revenue_by_month"]),
        },
        "measured": measured,
        "ratios": {
            "time_dbt_over_floor": _ratio(dbt_stats["wall_s"], measured["floor"]["wall_s"]),
            "time_dbt_over_pandas": _ratio(dbt_stats["wall_s"], measured["pandas"]["wall_s"]),
            "cpu_dbt_over_floor": _ratio(dbt_stats["cpu_s"], measured["floor"]["cpu_s"]),
            "cpu_dbt_over_pandas": _ratio(dbt_stats["cpu_s"], measured["pandas"]["cpu_s"]),
            "memory_dbt_over_floor": _ratio(dbt_stats["peak_mb"], measured["floor"]["peak_mb"]),
            "memory_dbt_over_pandas": _ratio(dbt_stats["peak_mb"], measured["pandas"]["peak_mb"]),
        },
    }


def _dbt_build(
    label: str, db: Path, target: Path, dbt_vars: dict, log: Path, extra: tuple[str, ...] = ()
) -> dict:
    env = {**base_env(), "ECOM_DUCKDB_PATH": str(db), "DBT_LOG_PATH": str(db.parent / "logs")}
    cmd = [str(BIN / "dbt"), "build", "--target-path", str(target), "--vars", json.dumps(dbt_vars), *extra]
    stats = measure(cmd, env=env, log=log)
    nodes = dbt_nodes(target) if (target / "run_results.json").exists() else {}
    if stats["exit_code"] != 0:
        tail = Path(stats["log"]).read_text()[-3000:]
        raise BenchError(
            f"{label} failed (exit {stats['exit_code']}); failing nodes: {nodes.get('failures', '?')}\n{tail}"
        )
    stats["nodes"] = nodes
    return stats


def bench_incremental(name: str, raw: Path, workdir: Path, full_build: dict) -> dict:
    """One day lands after a build of every earlier day: the incremental `dbt build` against the full one.

    The raw folder is rebuilt from hard links to the generated files, without the last landing day's orders
    and events files; `dbt build` on it is the build before the day lands; then the day's files are linked in
    and `dbt build` runs again (the incremental models read the late-arrival window only).
    """
    days = sorted({p.name.removeprefix("landed_on=") for p in raw.glob("events/landed_on=*")})
    if not days:
        raise BenchError(f"{name}: no events/landed_on=<day> partition in {raw} (the bench needs daily data)")
    last = days[-1]
    inc_dir = workdir / "incremental"
    shutil.rmtree(inc_dir, ignore_errors=True)
    inc_raw = inc_dir / "raw"
    inc_raw.mkdir(parents=True)
    held_back = sorted(raw.glob(f"*/landed_on={last}/*.csv"))
    for path in sorted(raw.rglob("*.csv")):
        if path not in held_back:
            (inc_raw / path.relative_to(raw)).parent.mkdir(parents=True, exist_ok=True)
            os.link(path, inc_raw / path.relative_to(raw))
    db, target = inc_dir / "warehouse.duckdb", inc_dir / "target"
    dbt_vars = {"source_system": "shop", "shop_raw_path": str(inc_raw)}
    print(f"  dbt build before {last} lands ({name}) ...", flush=True)
    before = _dbt_build(f"dbt build before {last} ({name})", db, target, dbt_vars, inc_dir / "before.log")
    for path in held_back:
        (inc_raw / path.relative_to(raw)).parent.mkdir(parents=True, exist_ok=True)
        os.link(path, inc_raw / path.relative_to(raw))
    print(f"  dbt build after {last} lands ({name}) ...", flush=True)
    after = _dbt_build(f"incremental dbt build ({name})", db, target, dbt_vars, inc_dir / "incremental.log")
    appended = sum(count_lines(p) for p in held_back)
    return {
        "appended_day": last,
        "appended_rows": appended,
        "before": {k: before[k] for k in ("wall_s", "cpu_s", "peak_mb")},
        "incremental": after,
        "ratio_time_incremental_over_full": _ratio(after["wall_s"], full_build["wall_s"]),
        "ratio_cpu_incremental_over_full": _ratio(after["cpu_s"], full_build["cpu_s"]),
    }


#: The customer-intelligence layer (purchase propensity, backtest, Insiders, segment upkeep) and everything
#: built on it: the build without these nodes is the project as it was before that layer.
PREDICTION_LAYER = ("path:models/marts/predictions+", "path:python_models/predictions+", "segment_stability+")


def bench_prediction_layer(name: str, raw: Path, workdir: Path, full_build: dict) -> dict:
    """What the customer-intelligence layer adds to a full build: the same `dbt build` on a fresh warehouse
    with the layer's models, and the tests and nodes that depend on them, excluded."""
    layer_dir = workdir / "without_predictions"
    shutil.rmtree(layer_dir, ignore_errors=True)
    layer_dir.mkdir(parents=True)
    db, target = layer_dir / "warehouse.duckdb", layer_dir / "target"
    dbt_vars = {"source_system": "shop", "shop_raw_path": str(raw)}
    print(f"  dbt build without the prediction layer ({name}) ...", flush=True)
    without = _dbt_build(
        f"dbt build without the prediction layer ({name})",
        db,
        target,
        dbt_vars,
        layer_dir / "build.log",
        ("--exclude", *PREDICTION_LAYER),
    )
    nodes_with, nodes_without = (sum(b["nodes"]["statuses"].values()) for b in (full_build, without))
    if nodes_without >= nodes_with:
        raise BenchError(f"{name}: --exclude {' '.join(PREDICTION_LAYER)} excluded no node (folder renamed?)")
    return {
        "excluded": list(PREDICTION_LAYER),
        "without": {k: without[k] for k in ("wall_s", "cpu_s", "peak_mb")},
        "nodes_without": nodes_without,
        "nodes_with": nodes_with,
        "ratio_time_with_over_without": _ratio(full_build["wall_s"], without["wall_s"]),
    }


def bench_fixed_cost(workdir: Path, scale: float = FIXED_COST_SCALE) -> dict:
    """dbt's own cost per build, apart from the data: the same project on a tiny shop, built twice; the second
    build (nothing new landed, like an incremental run) is the least any `dbt build` of this project takes."""
    raw, _ = generate(scale, workdir)
    dbt_vars = {"source_system": "shop", "shop_raw_path": str(raw)}
    db, target = workdir / "warehouse.duckdb", workdir / "target"
    db.unlink(missing_ok=True)
    # a target left by a run from another checkout holds that checkout's paths in its partial parse
    shutil.rmtree(target, ignore_errors=True)
    print(f"  dbt build twice on shop scale {scale:g} (dbt's fixed cost) ...", flush=True)
    _dbt_build("dbt build (tiny, first)", db, target, dbt_vars, workdir / "first.log")
    again = _dbt_build("dbt build (tiny, again)", db, target, dbt_vars, workdir / "again.log")
    return {
        "scale": scale,
        "order_lines": count_lines(raw / "**/orders*.csv"),
        "wall_s": again["wall_s"],
        "cpu_s": again["cpu_s"],
        "nodes": sum(again["nodes"]["statuses"].values()),
        "engine_floor": bench_engine_floor(target, workdir / "engine_floor"),
    }


def profile_threads() -> int:
    import yaml

    profile = yaml.safe_load((REPO / "profiles.yml").read_text())["ecom_analytics"]
    return int(profile["outputs"][profile["target"]]["threads"])


def bench_engine_floor(target: Path, workdir: Path) -> dict:
    """dbt's floor for the project's shape: the DAG of the build in `target`, every model two constant rows
    (bench/engine_floor.py), built twice; the second build is what dbt itself costs for that many nodes."""
    manifest = json.loads((target / "manifest.json").read_text())
    run_results = json.loads((target / "run_results.json").read_text())
    project, db = workdir / "project", workdir / "mirror.duckdb"
    db.unlink(missing_ok=True)
    counts = engine_floor.mirror_project(manifest, run_results, project, db, profile_threads())
    env = {**base_env(), "DBT_LOG_PATH": str(workdir / "logs")}
    cmd = [str(BIN / "dbt"), "build", "--project-dir", str(project), "--profiles-dir", str(project)]
    print(
        f"  dbt build twice on the two-row mirror of the project ({sum(counts.values())} nodes) ...",
        flush=True,
    )
    for label in ("first", "again"):
        stats = measure(cmd, env=env, log=workdir / f"{label}.log")
        if stats["exit_code"] != 0:
            tail = Path(stats["log"]).read_text()[-3000:]
            raise BenchError(f"dbt build of the two-row mirror failed (exit {stats['exit_code']}):\n{tail}")
    ran = json.loads((project / "target" / "run_results.json").read_text())["results"]
    return {"wall_s": stats["wall_s"], "cpu_s": stats["cpu_s"], "nodes": len(ran), "by_kind": counts}


def _ratio(a: float, b: float) -> float | None:
    return round(a / b, 2) if b else None


def count_lines(path: Path) -> int:
    import duckdb

    with duckdb.connect() as con:
        return con.execute(
            "select count(*) from read_csv(?, all_varchar = true, header = true)", [str(path)]
        ).fetchone()[0]


# --- report ----------------------------------------------------------------------------------------------


METHOD = """## How it was measured

- dbt: `dbt build` (all models, seeds, unit and data tests, the Python segmentation models) as a subprocess on
  a fresh DuckDB file; its wall time includes dbt's start-up and parsing. The floor and the peer compute only
  the core outputs (clean order lines, revenue by month, item rankings, RFM, k-means segments) while the dbt
  build does much more (events, funnel, data-quality marts, every test): the ratios are an upper bound on
  dbt's overhead, and the node time of the models behind the core marts is the closer comparison.
- floor: bench/floor_<source>.sql + bench/floor_common.sql as one script in an in-memory DuckDB with the
  profile's threads and memory limit; DuckDB has no k-means, so its RFM table goes to scikit-learn.
- pandas: bench/peer_pandas.py, read_csv / drop_duplicates / groupby the way a notebook does it, then the same
  scikit-learn k-means (bench/kmeans.py: log1p + standardise, k = 3..10 by silhouette).
- time: wall clock of the subprocess; CPU = user + system seconds from os.wait4.
- memory: the larger of (a) the resident memory of the process and all its descendants, polled every 0.1 s
  from /proc/<pid>/statm and summed, and (b) ru_maxrss from os.wait4 (the exact peak of the largest single
  process; the poll can miss a spike shorter than 0.1 s).
- The machine may be shared: the 1-minute load average before each step is recorded; when it is above the
  CPU count, wall seconds are inflated - compare CPU seconds and ratios.
"""

TABLE_HEADER = [
    "| dataset | order lines | dbt build s | floor s | pandas s | dbt/floor | dbt/pandas | dbt CPU s "
    "| floor CPU s | pandas CPU s | dbt MB | floor MB | pandas MB | mem dbt/floor | mem dbt/pandas |",
    "| --- " + "| ---: " * 14 + "|",
]


def table_row(run: dict) -> str:
    d, f, p = (run["measured"][k] for k in ("dbt", "floor", "pandas"))
    r = run["ratios"]
    cells = [
        run["dataset"],
        f"{run['rows'].get('order_lines', 0):,}",
        *(f"{x['wall_s']:.1f}" for x in (d, f, p)),
        r["time_dbt_over_floor"],
        r["time_dbt_over_pandas"],
        *(f"{x['cpu_s']:.1f}" for x in (d, f, p)),
        *(f"{x['peak_mb']:.0f}" for x in (d, f, p)),
        r["memory_dbt_over_floor"],
        r["memory_dbt_over_pandas"],
    ]
    return "| " + " | ".join(str(c) for c in cells) + " |"


def incremental_table(runs: list[dict]) -> list[str]:
    """One day of orders and events lands after a build of all earlier days: the incremental dbt build."""
    runs = [run for run in runs if run.get("incremental")]
    if not runs:
        return []
    lines = [
        "## Incremental: one day lands",
        "",
        "The shop data lands as one orders and one events file per day. The warehouse is built on every day",
        "but the last; then the last day's two files land and `dbt build` runs again: the incremental models",
        "read only the files of the late-arrival window (the identity-joined events also the days holding a",
        "user or item that a new users or items snapshot changed), the tables downstream are rebuilt, every",
        "test runs.",
        "",
        "| dataset | day landed | raw rows landed | full build s | build after the day lands s "
        "| incremental / full (wall) | incremental / full (CPU) | peak MB |",
        "| --- | --- " + "| ---: " * 6 + "|",
    ]
    for run in runs:
        inc, full = run["incremental"], run["measured"]["dbt"]
        cells = [
            run["dataset"],
            inc["appended_day"],
            f"{inc['appended_rows']:,}",
            f"{full['wall_s']:.1f}",
            f"{inc['incremental']['wall_s']:.1f}",
            f"{inc['ratio_time_incremental_over_full']:.1%}",
            f"{inc['ratio_cpu_incremental_over_full']:.1%}",
            f"{inc['incremental']['peak_mb']:.0f}",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return [*lines, ""]


def prediction_layer_lines(runs: list[dict]) -> list[str]:
    """The full build with and without the customer-intelligence layer, back to back on the same data."""
    runs = [run for run in runs if run.get("prediction_layer")]
    if not runs:
        return []
    lines = [
        "## What the prediction layer costs",
        "",
        "The same full `dbt build` on a fresh warehouse, once with every node and once with `--exclude "
        + " ".join(PREDICTION_LAYER)
        + "` (purchase propensity, the backtest, Insiders, segment upkeep, and every node built or tested on "
        "them): the project as it was before that layer, on the same data.",
        "",
        "| dataset | nodes with / without | full build s | without the layer s | with / without |",
        "| --- | --- | ---: | ---: | ---: |",
    ]
    for run in runs:
        layer = run["prediction_layer"]
        lines.append(
            f"| {run['dataset']} | {layer['nodes_with']} / {layer['nodes_without']} | "
            f"{run['measured']['dbt']['wall_s']:.1f} | {layer['without']['wall_s']:.1f} | "
            f"{layer['ratio_time_with_over_without']:.2f} |"
        )
    return [*lines, ""]


def fixed_cost_lines(report: dict) -> list[str]:
    """What any build of the project costs apart from the data, beside the budget for the build after a day
    lands (AFTER_DAY_BUDGET) where the scale has one."""
    fixed = report.get("fixed_cost")
    if not fixed:
        return []
    lines = [
        f"dbt's fixed cost: the same project on shop scale {fixed['scale']:g} "
        f"({fixed['order_lines']:,} order lines), built a second time with nothing new, takes "
        f"{fixed['wall_s']:.1f} s wall ({fixed['cpu_s']:.1f} s CPU) for {fixed['nodes']} nodes - dbt's "
        "start-up and per-node work (compiling, running and logging each model and test), the least any "
        "`dbt build` of this project takes, whatever the data.",
    ]
    floor = fixed.get("engine_floor")
    if floor:
        lines += [
            "",
            f"dbt's engine floor: the same DAG ({floor['nodes']} nodes: the same models, seeds, data and "
            "unit tests, edges, materializations, contracts and persisted docs; bench/engine_floor.py) with "
            f"every model two constant rows, built a second time, takes {floor['wall_s']:.1f} s wall "
            f"({floor['cpu_s']:.1f} s CPU). That is dbt-core's own cost for this many nodes; the rest of the "
            f"fixed cost ({fixed['wall_s'] - floor['wall_s']:.1f} s) is the project's own per-node work.",
        ]
    for run in report["runs"]:
        if run.get("incremental"):
            full = run["measured"]["dbt"]["wall_s"]
            budget = AFTER_DAY_BUDGET.get(run["dataset"])
            line = f"- {run['dataset']}: "
            if budget:
                line += f"the after-day budget ({budget:.0%} of the full build) is {budget * full:.1f} s; "
            line += f"the fixed cost alone is {fixed['wall_s'] / full:.0%} of the full build"
            if floor:
                line += f", dbt's engine floor alone {floor['wall_s'] / full:.0%}"
            lines.append(line + ".")
    return [*lines, ""]


def run_details(run: dict) -> list[str]:
    d, f, p = (run["measured"][k] for k in ("dbt", "floor", "pandas"))
    nodes, fi, pi = d["nodes"], f["inner"], p["inner"]
    lines = [
        f"### {run['dataset']}",
        "",
        f"- dbt: {d['wall_s']:.1f} s wall, {sum(nodes['statuses'].values())} nodes {nodes['statuses']}; "
        f"node seconds by kind {nodes['seconds_by_resource']}; models behind the core marts "
        f"({', '.join(CORE_MARTS)}): {nodes['core_models_s']} s of node time.",
        f"- floor: {fi.get('seconds_sql')} s SQL + {fi.get('seconds_kmeans')} s k-means "
        f"(k = {fi.get('segments_k')}); {fi.get('clean_lines', 0):,} clean lines.",
        f"- pandas: {pi.get('seconds_pandas')} s pandas + {pi.get('seconds_kmeans')} s k-means "
        f"(k = {pi.get('segments_k')}); {pi.get('clean_lines', 0):,} clean lines.",
        f"- load average before dbt / floor / pandas: {d['load_avg_before']} / {f['load_avg_before']} / "
        f"{p['load_avg_before']}.",
        f"- headline (all three agree): {run['headline']}",
        "",
        "| slowest dbt nodes | kind | s |",
        "| --- | --- | ---: |",
    ]
    lines += [f"| {n['node']} | {n['kind']} | {n['s']:.2f} |" for n in nodes["top_nodes"]]
    if run.get("incremental"):
        inc = run["incremental"]["incremental"]
        lines += [
            "",
            f"Build after {run['incremental']['appended_day']} lands: {inc['wall_s']:.1f} s wall, "
            f"{inc['cpu_s']:.1f} s CPU, node seconds by kind {inc['nodes']['seconds_by_resource']}.",
            "",
            "| slowest nodes after the day lands | kind | s |",
            "| --- | --- | ---: |",
        ]
        lines += [f"| {n['node']} | {n['kind']} | {n['s']:.2f} |" for n in inc["nodes"]["top_nodes"]]
    return [*lines, ""]


def markdown(report: dict) -> str:
    m = report["machine"]
    versions = ", ".join(f"{k} {v}" for k, v in m["versions"].items())
    lines = [
        "# Benchmark: `dbt build` vs a plain DuckDB script (floor) vs pandas (peer)",
        "",
        f"Run {report['finished_at']} with `{report['command']}`.",
        "",
        f"Machine: {m['nproc']} CPUs ({m['cpu_model']}), {m['memory_gb']} GB RAM, Linux {m['kernel']};",
        f"{versions}.",
        "",
        "dbt, the floor and pandas computed the same headline figures (total revenue, customers with a sale,",
        "top 10 items by net units, revenue by month) on every dataset below before its times were kept.",
        "",
        *TABLE_HEADER,
        *(table_row(run) for run in report["runs"]),
        "",
        *incremental_table(report["runs"]),
        *fixed_cost_lines(report),
        *prediction_layer_lines(report["runs"]),
        "## Where the time goes",
        "",
    ]
    for run in report["runs"]:
        lines += run_details(run)
    lines.append(METHOD)
    if report.get("skipped"):
        lines += ["Skipped: " + "; ".join(report["skipped"]), ""]
    return "\n".join(lines)


def print_table(report: dict) -> None:
    print()
    print(
        f"{'dataset':<22} {'dbt s':>8} {'floor s':>8} {'pandas s':>9} {'t dbt/fl':>9} {'t dbt/pd':>9} "
        f"{'dbt MB':>8} {'floor MB':>9} {'pd MB':>7} {'m dbt/fl':>9} {'m dbt/pd':>9}"
    )
    for run in report["runs"]:
        d, f, p = (run["measured"][k] for k in ("dbt", "floor", "pandas"))
        r = run["ratios"]
        print(
            f"{run['dataset']:<22} {d['wall_s']:>8.1f} {f['wall_s']:>8.1f} {p['wall_s']:>9.1f} "
            f"{r['time_dbt_over_floor']!s:>9} {r['time_dbt_over_pandas']!s:>9} {d['peak_mb']:>8.0f} "
            f"{f['peak_mb']:>9.0f} {p['peak_mb']:>7.0f} {r['memory_dbt_over_floor']!s:>9} "
            f"{r['memory_dbt_over_pandas']!s:>9}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Time dbt build against a plain DuckDB script and pandas.")
    parser.add_argument(
        "--scales", nargs="*", type=float, default=[1.0, 10.0], help="shop scales (default 1 10)"
    )
    parser.add_argument(
        "--big", action="store_true", help="also scale 100 (long: generation alone takes minutes)"
    )
    parser.add_argument(
        "--workdir", type=Path, default=Path(os.environ.get("ECOM_BENCH_DIR", "/tmp/ecom_bench"))
    )
    parser.add_argument(
        "--no-online-retail", action="store_true", help="skip the real UCI Online Retail file"
    )
    parser.add_argument(
        "--no-incremental", action="store_true", help="skip the append-one-day incremental build"
    )
    parser.add_argument(
        "--no-tenfold", action="store_true", help="skip the UCI file repeated ten times (uci_tenfold.py)"
    )
    parser.add_argument(
        "--no-prediction-layer",
        action="store_true",
        help="skip the build without the prediction layer (run on shop scales up to 10)",
    )
    parser.add_argument("--results", type=Path, default=RESULTS, help="where results.md and results.json go")
    parser.add_argument(
        "--append",
        action="store_true",
        help="keep the datasets of an earlier results.json that this run does not measure again",
    )
    args = parser.parse_args(argv)
    scales = list(dict.fromkeys([*args.scales, *([100.0] if args.big else [])]))

    report = {
        "command": " ".join(["python -m bench.run", *(argv if argv is not None else sys.argv[1:])]),
        "machine": machine(),
        "runs": [],
        "skipped": [],
    }
    print(f"machine: {report['machine']}")
    try:
        for scale in scales:
            name = f"shop scale {scale:g}"
            print(f"{name}:", flush=True)
            workdir = args.workdir / f"shop_{scale:g}"
            raw, gen_stats = generate(scale, workdir)
            rows = {
                "order_lines": count_lines(raw / "**/orders*.csv"),
                "event_rows": count_lines(raw / "**/events*.csv"),
            }
            run = bench_dataset(name, "shop", raw, workdir, rows)
            run["generate"] = gen_stats
            if not args.no_incremental:
                run["incremental"] = bench_incremental(name, raw, workdir, run["measured"]["dbt"])
            if not args.no_prediction_layer and scale <= 10:
                run["prediction_layer"] = bench_prediction_layer(name, raw, workdir, run["measured"]["dbt"])
            report["runs"].append(run)
        if not args.no_incremental:
            print("dbt's fixed cost:", flush=True)
            report["fixed_cost"] = bench_fixed_cost(args.workdir / f"shop_{FIXED_COST_SCALE:g}")
        if args.no_online_retail:
            report["skipped"].append("online_retail (--no-online-retail)")
        elif not ONLINE_RETAIL.exists():
            message = f"online_retail: real file not present at {ONLINE_RETAIL}"
            print(f"skipping {message}")
            report["skipped"].append(message)
        else:
            print("online_retail (UCI):", flush=True)
            rows = {"order_lines": count_lines(ONLINE_RETAIL)}
            run = bench_dataset(
                "online_retail (UCI)", "online_retail", ONLINE_RETAIL, args.workdir / "online_retail", rows
            )
            report["runs"].append(run)
            if not args.no_tenfold:
                print("online_retail x10 (UCI repeated ten times):", flush=True)
                tenfold = args.workdir / "online_retail_x10" / "online_retail_x10.csv"
                if not tenfold.exists():
                    uci_tenfold.make(ONLINE_RETAIL, tenfold)
                rows = {"order_lines": count_lines(tenfold)}
                run = bench_dataset(
                    "online_retail x10", "online_retail", tenfold, args.workdir / "online_retail_x10", rows
                )
                report["runs"].append(run)
    except BenchError as exc:
        print(f"\nBENCHMARK FAILED: {exc}", file=sys.stderr)
        return 1

    report["finished_at"] = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    previous = args.results / "results.json"
    if args.append and previous.exists():
        earlier = json.loads(previous.read_text())
        measured_now = {run["dataset"] for run in report["runs"]}
        kept = [run for run in earlier.get("runs", []) if run["dataset"] not in measured_now]
        report["runs"] = kept + report["runs"]
        report["command"] = (
            f"{earlier.get('command')} (at {earlier.get('finished_at')}), then {report['command']}"
        )
        kept_sources = {run["source"] for run in kept}
        report["skipped"] = [s for s in report["skipped"] if s.split()[0] not in kept_sources]
    args.results.mkdir(parents=True, exist_ok=True)
    (args.results / "results.json").write_text(json.dumps(report, indent=1) + "\n")
    (args.results / "results.md").write_text(markdown(report))
    print_table(report)
    print(f"\nresults: {args.results / 'results.md'}, {args.results / 'results.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
