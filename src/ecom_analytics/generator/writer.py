"""Write the generated files block by block, then the ground truth (manifest.json, archetypes.csv).

Files are written under temporary names and renamed at the end, so a failed run never leaves a half-written
`events.csv` that looks complete (the Makefile uses the events file(s) as the "data exists" marker).

Layouts: `single` writes one file per table, as the case study did. `daily` and `monthly` write the two
append-only tables the way a warehouse export lands them, one hive partition per landing day or month
(`orders/landed_on=2018-06-30/orders.csv`; a month lands on its first day, `events/landed_on=2018-06-01/`);
users.csv and items.csv stay whole snapshots. The rows are the same in every layout, only split across files.
"""

from __future__ import annotations

import json
import math
import os
import shutil
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path

import numpy as np

from . import fmt
from . import spec as S
from .catalog import Catalog, build_catalog
from .core import Counters, ItemPicker, generate_block

USERS_COLUMNS = [
    "created_at",
    "deleted_at",
    "email_address",
    "first_name",
    "id",
    "last_name",
    "merged_at",
    "parent_user_id",
]
ITEMS_COLUMNS = ["adjective", "category", "created_at", "id", "modifier", "name", "price"]
ORDERS_COLUMNS = [
    "invoice_id",
    "line_item_id",
    "user_id",
    "item_id",
    "item_name",
    "item_category",
    "price",
    "created_at",
    "paid_at",
]
EVENTS_COLUMNS = [
    "event_id",
    "event_time",
    "user_id",
    "event_name",
    "platform",
    "parameter_name",
    "parameter_value",
]
FILES = {"users": USERS_COLUMNS, "items": ITEMS_COLUMNS, "orders": ORDERS_COLUMNS, "events": EVENTS_COLUMNS}
GENERATOR_VERSION = 1
LAYOUTS = {"single": None, "daily": "datetime64[D]", "monthly": "datetime64[M]"}
PARTITIONED = ("orders", "events")


class GeneratorError(Exception):
    """Bad arguments or an unwritable destination, with a message naming the problem."""


def _append(fh, columns: list[str], data: dict) -> int:
    """Append rows of pre-formatted text; no value the generator writes needs CSV quoting (checked)."""
    cols = [data[c] for c in columns]
    n = len(cols[0])
    for name, col in zip(columns, cols, strict=True):
        if len(col) != n:
            raise GeneratorError(f"internal error: column {name} has {len(col)} values, expected {n}")
    if n == 0:
        return 0
    body = "\n".join(map(",".join, zip(*cols, strict=True))) + "\n"
    if any(ch in body for ch in '"\r') or body.count(",") != n * (len(columns) - 1):
        raise GeneratorError(f"internal error: a value of {columns} would need CSV quoting")
    fh.write(body)
    return n


def landed_path(name: str, day: str) -> Path:
    """Where a landed file of table `name` goes, relative to the raw folder: one hive partition per day."""
    return Path(name) / f"landed_on={day}" / f"{name}.csv"


class _LandingFiles:
    """Append a table's rows to one file per landing period, each file with its own header."""

    def __init__(self, folder: Path, name: str, columns: list[str], unit: str) -> None:
        self.folder, self.name, self.columns, self.unit = folder, name, columns, unit
        self.written: set[str] = set()

    def append(self, data: dict, landed_days: np.ndarray) -> int:
        periods = np.asarray(landed_days, dtype="datetime64[D]").astype(self.unit)
        keys, inverse = np.unique(np.datetime_as_string(periods), return_inverse=True)
        by_key = np.argsort(inverse, kind="stable")  # file order is kept within each landing period
        bounds = np.cumsum(np.bincount(inverse, minlength=len(keys)))
        n = 0
        for i, key in enumerate(keys.tolist()):
            rows = by_key[(bounds[i - 1] if i else 0) : bounds[i]]
            path = self.folder / landed_path(self.name, self._day(key))
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(path, "a", encoding="utf-8", newline="") as fh:
                if key not in self.written:
                    fh.write(",".join(self.columns) + "\n")
                    self.written.add(key)
                n += _append(fh, self.columns, {c: v[rows] for c, v in data.items()})
        return n

    @staticmethod
    def _day(key: str) -> str:
        return key if len(key) == 10 else f"{key}-01"  # a month lands on its first day

    def publish(self, out: Path) -> None:
        # an export that lands every day writes a file every day, a header-only one on a day without records
        if self.written:
            keys = np.datetime_as_string(
                np.arange(np.datetime64(min(self.written)), np.datetime64(max(self.written)) + 1)
            ).tolist()
            for key in keys:
                if key not in self.written:
                    path = self.folder / landed_path(self.name, self._day(key))
                    path.parent.mkdir(parents=True, exist_ok=True)
                    path.write_text(",".join(self.columns) + "\n", encoding="utf-8")
                    self.written.add(key)
        for key in sorted(self.written):
            target = out / landed_path(self.name, self._day(key))
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(self.folder / landed_path(self.name, self._day(key)), target)


def _items_columns(catalog: Catalog) -> dict:
    return {
        "adjective": catalog.adjective,
        "category": catalog.category,
        "created_at": fmt.ts(catalog.created_at),
        "id": fmt.float_id(catalog.item_id),
        "modifier": catalog.modifier,
        "name": catalog.name,
        "price": fmt.price(catalog.price_cents),
    }


def _check_paths(out: Path, truth: Path) -> None:
    out_r, truth_r = out.resolve(), truth.resolve()
    if out_r == truth_r or out_r in truth_r.parents:
        raise GeneratorError(f"--truth {truth} must be outside the raw folder --out {out}")
    for folder in (out, truth):
        if folder.exists() and not folder.is_dir():
            raise GeneratorError(f"{folder} exists and is not a folder")
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise GeneratorError(f"cannot create {folder}: {exc.strerror}") from exc


def block_sizes(total_users: int) -> list[int]:
    n_blocks = max(1, math.ceil(total_users / S.CHUNK_USERS))
    base, extra = divmod(total_users, n_blocks)
    return [base + (1 if b < extra else 0) for b in range(n_blocks)]


def generate(
    out: Path | str,
    truth: Path | str,
    scale: float = 1.0,
    seed: int = 42,
    log: Callable[[str], None] | None = None,
    layout: str = "single",
) -> dict:
    """Write users/items/orders/events CSVs to `out` and the ground truth to `truth`; return the manifest."""
    out, truth = Path(out), Path(truth)
    if layout not in LAYOUTS:
        raise GeneratorError(f"--layout must be one of {', '.join(LAYOUTS)}, got {layout!r}")
    if not (isinstance(scale, int | float) and math.isfinite(scale) and scale > 0):
        raise GeneratorError(f"--scale must be a positive number, got {scale!r}")
    total_users = round(S.REAL_USERS * scale)
    if total_users < 500:
        raise GeneratorError(
            f"--scale {scale} is too small: it gives {total_users} users, at least 500 needed"
        )
    if seed < 0:
        raise GeneratorError(f"--seed must be >= 0, got {seed}")
    _check_paths(out, truth)
    _check_no_other_layout(out, layout)

    catalog = build_catalog(np.random.default_rng(np.random.SeedSequence([seed, 0])))
    picker = ItemPicker(catalog)
    tmp = {name: out / f".{name}.csv.partial" for name in FILES}
    staging = out / ".partial"
    landing: dict[str, _LandingFiles] = {}
    if LAYOUTS[layout]:
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir()
        landing = {n: _LandingFiles(staging, n, FILES[n], LAYOUTS[layout]) for n in PARTITIONED}
        tmp = {n: p for n, p in tmp.items() if n not in landing}
    truth_tmp = truth / ".archetypes.csv.partial"
    ghost_tmp = truth / ".inferred_customers.csv.partial"
    rows = dict.fromkeys(FILES, 0)
    anomalies: dict[str, int] = {}
    facts: dict[str, int] = {}
    experiments: dict[int, dict] = {}
    archetype_counts: dict[str, int] = {}
    try:
        with ExitStack() as stack:
            handles = {
                n: stack.enter_context(open(p, "w", encoding="utf-8", newline="")) for n, p in tmp.items()
            }
            arch_fh = stack.enter_context(open(truth_tmp, "w", encoding="utf-8", newline=""))
            ghost_fh = stack.enter_context(open(ghost_tmp, "w", encoding="utf-8", newline=""))
            for name, fh in handles.items():
                fh.write(",".join(FILES[name]) + "\n")
            arch_fh.write("user_id,archetype\n")
            ghost_fh.write("user_id,archetype\n")
            rows["items"] = _append(handles["items"], ITEMS_COLUMNS, _items_columns(catalog))
            ids = Counters()
            sizes = block_sizes(total_users)
            for b, n_users in enumerate(sizes):
                rng = np.random.default_rng(np.random.SeedSequence([seed, 1, b]))
                block = generate_block(rng, n_users, b == 0, catalog, picker, ids)
                rows["users"] += _append(handles["users"], USERS_COLUMNS, block.users)
                for name, data, landed in (
                    ("orders", block.orders, block.orders_landed),
                    ("events", block.events, block.events_landed),
                ):
                    if name in landing:
                        rows[name] += landing[name].append(data, landed)
                    else:
                        rows[name] += _append(handles[name], FILES[name], data)
                arch = {"user_id": fmt.int_str(block.archetype_user_id), "archetype": block.archetype}
                _append(arch_fh, ["user_id", "archetype"], arch)
                ghost = {"user_id": fmt.int_str(block.ghost_user_id), "archetype": block.ghost_archetype}
                _append(ghost_fh, ["user_id", "archetype"], ghost)
                for key, value in block.anomalies.items():
                    anomalies[key] = anomalies.get(key, 0) + value
                for key, value in block.facts.items():
                    facts[key] = facts.get(key, 0) + value
                labels, counts = np.unique(
                    np.concatenate([block.archetype, block.ghost_archetype]).astype(str), return_counts=True
                )
                for label, count in zip(labels.tolist(), counts.tolist(), strict=True):
                    archetype_counts[label] = archetype_counts.get(label, 0) + count
                for test_id, arms in block.experiments.items():
                    acc = experiments.setdefault(test_id, {a: {"assigned": 0, "converted": 0} for a in arms})
                    for arm, tally in arms.items():
                        for k, v in tally.items():
                            acc[arm][k] += v
                del block
                if log:
                    log(
                        f"block {b + 1}/{len(sizes)}: {rows['users']:,} users, "
                        f"{rows['orders']:,} order lines, {rows['events']:,} event rows"
                    )
    except BaseException:
        for path in [*tmp.values(), truth_tmp, ghost_tmp]:
            path.unlink(missing_ok=True)
        shutil.rmtree(staging, ignore_errors=True)
        raise

    anomalies["items.free_item"] = int(catalog.is_free.sum())
    anomalies["items.duplicate_name"] = catalog.duplicate_name_rows()
    manifest = {
        "generator_version": GENERATOR_VERSION,
        "seed": seed,
        "scale": scale,
        "layout": layout,
        "extracted_at": S.EXTRACTED_AT,
        "rows": rows,
        "anomalies": dict(sorted(anomalies.items())),
        "facts": dict(sorted(facts.items())),
        "archetypes": dict(sorted(archetype_counts.items())),
        "experiments": _experiments_manifest(experiments),
        "definitions": DEFINITIONS,
    }
    manifest_tmp = truth / ".manifest.json.partial"
    manifest_tmp.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    os.replace(truth_tmp, truth / "archetypes.csv")
    os.replace(ghost_tmp, truth / "inferred_customers.csv")
    os.replace(manifest_tmp, truth / "manifest.json")
    for name in ("items", "users", "orders", "events"):  # events last: they mark a complete data set
        if name in landing:
            landing[name].publish(out)
        else:
            os.replace(tmp[name], out / f"{name}.csv")
    if landing:
        shutil.rmtree(staging)
    return manifest


def _check_no_other_layout(out: Path, layout: str) -> None:
    """Refuse to mix layouts in one folder: the sources would read both and count every row twice."""
    for name in PARTITIONED:
        whole = (out / f"{name}.csv").exists()
        split = any(out.glob(f"{name}/landed_on=*/*.csv"))
        if (layout == "single" and split) or (layout != "single" and whole):
            raise GeneratorError(
                f"{out} already holds {name} files in another layout; write to an empty folder instead"
            )


def _experiments_manifest(experiments: dict[int, dict]) -> list[dict]:
    out = []
    for test_id, start, end, p_c, p_t in S.EXPERIMENTS:
        arms = experiments.get(test_id, {})
        observed = {
            arm: {
                **tally,
                "conversion_rate": round(tally["converted"] / tally["assigned"], 6)
                if tally["assigned"]
                else None,
            }
            for arm, tally in arms.items()
        }
        out.append(
            {
                "test_id": test_id,
                "assigned_from": start,
                "assigned_to": end,
                "planted_control_rate": p_c,
                "planted_treatment_rate": p_t,
                "planted_relative_lift": round(p_t / p_c - 1, 6),
                "has_effect": p_t != p_c,
                "observed": observed,
            }
        )
    return out


DEFINITIONS = {
    "anomalies": "keys <table>.<reason_code> of docs/architecture.md; units as there (orders: raw lines; "
    "events: events, except duplicate_parameter = extra rows; users: rows); planted disjointly",
    "orders.duplicate_row": "extra copies only (the original line is clean and counted nowhere)",
    "orders.odd_timestamp_format": "lines with created_at, paid_at or both written HH-MM-SS",
    "orders.unparseable_timestamp": "extra lines whose created_at or paid_at is garbage",
    "orders.future_dated": "lines of invoices created and paid after extracted_at",
    "orders.paid_before_created": "all lines of the affected invoices",
    "orders.deleted_account": "lines whose user (never merged) is a deleted account",
    "orders.merged_account": "lines written with a merged account's id (chains included)",
    "orders.unknown_user": "lines of customers with no users row (ids >= 900000000)",
    "users.merged_user": "rows with merged_at and parent_user_id, not on a cycle",
    "users.merge_cycle": "rows on the cycle X -> Y -> X (no orders, no events)",
    "users.future_dated": "created_at after extracted_at (no orders, no events)",
    "users.without_orders": "users rows whose id appears on no orders.csv line",
    "users.merge_chains": "merge chains of 3 or more accounts (A -> B -> C)",
    "archetypes.csv": "one row per users.csv id: the archetype of the surviving customer; non-surviving "
    "(merged, cycle) accounts and users without orders are non_buyer",
    "inferred_customers.csv": "archetypes of the unknown (no users row) customers of orders.unknown_user",
    "experiments": "conversion = the assigned user has a sale created after its test_assignment event; "
    "converters buy 1 hour to 5 days after it, non-converters have no order after the test starts",
    "rfm": "as_of = day after the last sale; frequency = distinct invoices; monetary = sum of line prices",
}
