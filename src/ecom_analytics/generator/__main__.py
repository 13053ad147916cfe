"""Command line.

python -m ecom_analytics.generator --scale 1 --seed 42 --out data/raw/shop --truth data/truth/shop
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from .writer import GeneratorError, generate


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m ecom_analytics.generator",
        description=(
            "Generate the case-study shop's raw files (users.csv, items.csv, orders.csv, events.csv) "
            "in the real files' format, with planted anomalies and buyer archetypes. Same seed and "
            "scale give byte-identical files. The ground truth (manifest.json, archetypes.csv) goes to "
            "--truth, outside the raw folder."
        ),
    )
    parser.add_argument(
        "--scale",
        type=float,
        default=1.0,
        help="1 = the real sizes (117k users, 47k order "
        "lines, 854k event rows); users, orders and events scale linearly (default 1)",
    )
    parser.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    parser.add_argument("--out", type=Path, default=Path("data/raw/shop"), help="raw files folder")
    parser.add_argument("--truth", type=Path, default=Path("data/truth/shop"), help="ground-truth folder")
    parser.add_argument(
        "--layout",
        choices=["single", "daily", "monthly"],
        default="single",
        help="single: one orders.csv and events.csv (default); daily/monthly: one hive partition per landing "
        "day or month (orders/landed_on=YYYY-MM-DD/orders.csv), as an export that lands every day",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress output")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    log = None if args.quiet else (lambda msg: print(msg, file=sys.stderr, flush=True))
    try:
        manifest = generate(
            args.out, args.truth, scale=args.scale, seed=args.seed, log=log, layout=args.layout
        )
    except GeneratorError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # e.g. a full disk or a read-only folder while writing
        print(f"error: cannot write {exc.filename or args.out}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    if log:
        rows = ", ".join(f"{k} {v:,}" for k, v in manifest["rows"].items())
        log(f"wrote {args.out} ({rows}) and {args.truth} in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
