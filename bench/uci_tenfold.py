"""The UCI Online Retail file made ten times larger, for the benchmark: copy k of every line (k = 0..9) with
its invoice number shifted by k x 1,000,000 (a `C` cancellation keeps its prefix) and its customer id by
k x 100,000, so the copies are new invoices of new customers and not duplicates of the original lines.

    python -m bench.uci_tenfold <online_retail.csv.gz> <out.csv>
"""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb

COPIES = 10


def make(source: Path, out: Path) -> int:
    """Write the ten-fold file (plain CSV, the original's header and columns); return its data lines."""
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    with duckdb.connect() as con:
        con.execute(
            f"""
            copy (
                select
                    case
                        when copy = 0 then InvoiceNo
                        when starts_with(InvoiceNo, 'C')
                            and try_cast(substr(InvoiceNo, 2) as bigint) is not null
                            then 'C' || (cast(substr(InvoiceNo, 2) as bigint) + copy * 1000000)
                        when try_cast(InvoiceNo as bigint) is not null
                            then cast(cast(InvoiceNo as bigint) + copy * 1000000 as varchar)
                        else InvoiceNo
                    end as InvoiceNo,
                    StockCode,
                    Description,
                    Quantity,
                    InvoiceDate,
                    UnitPrice,
                    case
                        when copy = 0 or try_cast(CustomerID as double) is null then CustomerID
                        else cast(try_cast(CustomerID as double) + copy * 100000 as varchar)
                    end as CustomerID,
                    Country
                from read_csv(?, header = true, all_varchar = true, delim = ',', quote = '"', escape = '"')
                cross join range({COPIES}) as copies(copy)
                order by copy
            ) to '{str(partial).replace("'", "''")}' (header, delimiter ',')
            """,
            [str(source)],
        )
        lines = con.execute(
            "select count(*) from read_csv(?, header = true, all_varchar = true)", [str(partial)]
        ).fetchone()[0]
    partial.replace(out)
    return lines


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    print(f"{make(Path(sys.argv[1]), Path(sys.argv[2])):,} lines written to {sys.argv[2]}")
