"""The command line both references share: which source, where its raw data is, where to write the result."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path

# The shop files' export date (dbt var shop_extracted_at): rows dated after it are future-dated.
SHOP_EXTRACTED_AT = "2018-07-01"


def reference_main(
    name: str,
    description: str,
    run: Callable[..., dict],
    expected_errors: tuple[type[BaseException], ...],
    argv: list[str] | None = None,
) -> int:
    """Parse the arguments, run the reference, write its result as JSON; a bad input is one line, exit 2."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--source", choices=["shop", "online_retail"], required=True)
    parser.add_argument("--shop-raw-path", type=Path)
    parser.add_argument("--online-retail-csv", type=Path)
    parser.add_argument("--extracted-at", default=SHOP_EXTRACTED_AT)
    parser.add_argument("--out", type=Path, required=True, help="where to write the result as JSON")
    args = parser.parse_args(argv)
    path = args.shop_raw_path if args.source == "shop" else args.online_retail_csv
    if path is None:
        parser.error("--shop-raw-path (shop) or --online-retail-csv (online_retail) is required")
    try:
        result = run(args.source, path, extracted_at=args.extracted_at)
    except expected_errors as exc:
        print(f"{name}: {exc}", file=sys.stderr)
        return 2
    args.out.write_text(json.dumps(result, indent=1))
    return 0
