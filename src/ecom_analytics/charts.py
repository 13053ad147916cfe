"""Pictures and key figures for the docs, drawn from the built marts.

    python -m ecom_analytics.charts --database data/warehouse.duckdb --out assets
        renders assets/*.png (dbt copies `asset-paths` into target/assets for `dbt docs`)
    python -m ecom_analytics.charts --database data/warehouse.duckdb --overview models/overview.md
        also rewrites the key-figures block of the overview (between the two KEY FIGURES markers)
    python -m ecom_analytics.charts --out assets --inline-html target/static_index.html
        embeds the pictures into `dbt docs generate --static` output as data URIs, so the one HTML file shows
        them wherever it is copied (dbt inlines the manifest and catalog, not the assets)

A mart that is not built (e.g. segments before the Python models ran) skips its chart with a message; it never
stops the others. Work that grows with the data stays in DuckDB: pandas only receives what a chart plots
(at most 20,000 sampled customers for the PCA). Pictures are deterministic: Agg backend, fixed sizes, no
timestamps in the files, a seeded sample ordered by a hash of the customer id.
"""

from __future__ import annotations

import argparse
import base64
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import duckdb
import matplotlib.pyplot as plt
import numpy as np
from matplotlib import ticker

SCHEMA = "marts"
PCA_SAMPLE = 20_000
SEED = 42
DPI = 110
# Dropping the Software key keeps the bytes identical across matplotlib patch releases.
PNG_METADATA = {"Software": None}
# Markdown comments: link reference definitions render as nothing (dbt docs shows an HTML comment as text).
FIGURES_START = "[//]: # (KEY FIGURES START: written by python -m ecom_analytics.charts --overview)"
FIGURES_END = "[//]: # (KEY FIGURES END)"
MODEL_LINK = "[{name}](#!/model/model.ecom_analytics.{name})"

plt.rcParams.update(
    {
        "font.family": "DejaVu Sans",
        "font.size": 9,
        "axes.titlesize": 11,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "svg.hashsalt": "ecom_analytics",
    }
)


class ChartsError(Exception):
    """The database cannot be read; the message names the file and the problem."""


class Skip(Exception):
    """This chart cannot be drawn from what is built; the message says why."""


# --------------------------------------------------------------------------------------------------
# Reading the marts


def connect(database: Path) -> duckdb.DuckDBPyConnection:
    if not Path(database).exists():
        raise ChartsError(f"{database}: no such database file (run `dbt build` first)")
    try:
        return duckdb.connect(str(database), read_only=True)
    except duckdb.Error as exc:
        hint = " (a running `dbt build` holds it; retry when it has finished)" if "lock" in str(exc) else ""
        raise ChartsError(f"{database}: cannot open read-only{hint}: {exc}") from exc


def columns_of(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    rows = con.execute(
        """
        select column_name
        from duckdb_columns()
        where database_name = current_database() and schema_name = ? and table_name = ?
        order by column_index
        """,
        [SCHEMA, table],
    ).fetchall()
    return [r[0] for r in rows]


def require(con: duckdb.DuckDBPyConnection, table: str, needed: list[str]) -> list[str]:
    """Columns of marts.<table>; Skip if the table or a needed column is missing, or it has no rows."""
    cols = columns_of(con, table)
    if not cols:
        raise Skip(f"{SCHEMA}.{table} is not built (build it with `dbt build --select {table}+`)")
    missing = [c for c in needed if c not in cols]
    if missing:
        raise Skip(f"{SCHEMA}.{table} has no column(s) {', '.join(missing)}")
    if con.execute(f"select count(*) from {SCHEMA}.{table}").fetchone()[0] == 0:
        raise Skip(f"{SCHEMA}.{table} is empty")
    return cols


def pick(cols: list[str], *candidates: str) -> str | None:
    """The first candidate column present (profiles name their averages in a few plausible ways)."""
    return next((c for c in candidates if c in cols), None)


def save(fig, path: Path) -> Path:
    fig.savefig(path, dpi=DPI, metadata=PNG_METADATA)
    plt.close(fig)
    return path


# --------------------------------------------------------------------------------------------------
# The charts: each takes a read-only connection and the output file, returns the file or raises Skip.


def monthly_revenue(con: duckdb.DuckDBPyConnection, path: Path) -> Path:
    cols = require(con, "revenue_by_period", ["period_grain", "period_start", "revenue"])
    net = "net_revenue" if "net_revenue" in cols else "revenue"
    rows = con.execute(
        f"""
        select period_start, cast(revenue as double), cast({net} as double)
        from {SCHEMA}.revenue_by_period
        where period_grain = 'month'
        order by period_start
        """
    ).fetchall()
    if not rows:
        raise Skip(f"{SCHEMA}.revenue_by_period has no month rows")
    months = [r[0] for r in rows]
    fig, ax = plt.subplots(figsize=(9, 3.8))
    ax.plot(months, [r[1] for r in rows], color="#1f6fb2", linewidth=1.6, label="revenue (sales)")
    if net != "revenue":
        ax.plot(months, [r[2] for r in rows], color="#d4a017", linewidth=1.0, label="net of returns")
        ax.legend(frameon=False, loc="upper left")
    ax.set_title("Monthly revenue (recognised when paid)")
    ax.set_ylabel("revenue")
    ax.yaxis.set_major_formatter(ticker.StrMethodFormatter("{x:,.0f}"))
    ax.grid(axis="y", alpha=0.3)
    fig.autofmt_xdate()
    fig.tight_layout()
    return save(fig, path)


def top_items(con: duckdb.DuckDBPyConnection, path: Path) -> Path:
    require(con, "item_rankings", ["item_id", "item_name", "net_revenue", "net_units", "rank_by_revenue"])
    rows = con.execute(
        f"""
        select item_id, item_name, cast(net_revenue as double), net_units
        from {SCHEMA}.item_rankings
        where rank_by_revenue <= 10
        order by rank_by_revenue, item_id
        """
    ).fetchall()
    if not rows:
        raise Skip(f"{SCHEMA}.item_rankings has no ranked item")
    rows = rows[::-1]  # best at the top of a horizontal bar chart
    # Names are not unique: the id beside each name tells two 'apparatus' apart.
    labels = [f"{name} ({item_id})" for item_id, name, _, _ in rows]
    fig, ax = plt.subplots(figsize=(9, 4.2))
    bars = ax.barh(labels, [r[2] for r in rows], color="#1f6fb2")
    for bar, row in zip(bars, rows, strict=True):
        ax.annotate(
            f"{row[3]:,} units",
            (bar.get_width(), bar.get_y() + bar.get_height() / 2),
            xytext=(3, 0),
            textcoords="offset points",
            va="center",
            fontsize=8,
        )
    ax.set_title("Top 10 items by net revenue")
    ax.set_xlabel("net revenue")
    ax.xaxis.set_major_formatter(ticker.StrMethodFormatter("{x:,.0f}"))
    fig.tight_layout()
    return save(fig, path)


def rfm_heatmap(con: duckdb.DuckDBPyConnection, path: Path) -> Path:
    require(con, "customer_rfm", ["r_score", "f_score", "monetary"])
    rows = con.execute(
        f"""
        select r_score, f_score, count(*), cast(sum(monetary) as double)
        from {SCHEMA}.customer_rfm
        group by r_score, f_score
        order by r_score, f_score
        """
    ).fetchall()
    customers = np.zeros((5, 5))
    revenue = np.zeros((5, 5))
    for r, f, n, m in rows:
        if not (1 <= r <= 5 and 1 <= f <= 5):
            raise Skip(f"{SCHEMA}.customer_rfm has a score outside 1..5 (r_score={r}, f_score={f})")
        customers[5 - r, f - 1] = n
        revenue[5 - r, f - 1] = m
    fig, axes = plt.subplots(1, 2, figsize=(9.5, 4.2))
    panels = ((axes[0], customers, "Customers", "{:,.0f}"), (axes[1], revenue, "Revenue", "{:,.0f}"))
    for ax, grid, title, fmt in panels:
        image = ax.imshow(grid, cmap="YlGnBu", aspect="equal")
        ax.set_xticks(range(5), [str(f) for f in range(1, 6)])
        ax.set_yticks(range(5), [str(r) for r in range(5, 0, -1)])
        ax.set_xlabel("f_score (5 = most orders)")
        ax.set_ylabel("r_score (5 = most recent)")
        ax.set_title(f"{title} by R x F score")
        top = grid.max() if grid.max() > 0 else 1
        for (i, j), value in np.ndenumerate(grid):
            ax.text(j, i, fmt.format(value), ha="center", va="center", fontsize=7,
                    color="white" if value > top * 0.6 else "black")  # fmt: skip
        fig.colorbar(image, ax=ax, shrink=0.8)
    fig.tight_layout()
    return save(fig, path)


def segment_radar(con: duckdb.DuckDBPyConnection, path: Path) -> Path:
    cols = require(con, "segment_profiles", ["segment_id", "segment_name", "revenue_share"])
    recency = pick(cols, "avg_recency_days", "avg_recency", "mean_recency_days", "recency_days")
    frequency = pick(cols, "avg_frequency", "mean_frequency", "avg_orders", "frequency")
    monetary = pick(cols, "avg_monetary", "mean_monetary", "avg_revenue", "monetary")
    if None in (recency, frequency, monetary):
        raise Skip(f"{SCHEMA}.segment_profiles has no average recency/frequency/monetary columns ({cols})")
    rows = con.execute(
        f"""
        select segment_id, segment_name,
            cast({recency} as double), cast({frequency} as double), cast({monetary} as double),
            cast(revenue_share as double)
        from {SCHEMA}.segment_profiles
        order by segment_id
        """
    ).fetchall()
    values = np.array([r[2:] for r in rows], dtype=float)
    # Standardise each axis across segments (z-score) so days, orders and money share one scale; recency is
    # negated so that outward always means "better" (more recent, more often, more money, more revenue).
    values[:, 0] = -values[:, 0]
    std = values.std(axis=0)
    z = (values - values.mean(axis=0)) / np.where(std > 0, std, 1.0)
    axes_labels = ["recency\n(recent = out)", "frequency", "monetary", "revenue share"]
    angles = np.linspace(0, 2 * np.pi, len(axes_labels), endpoint=False).tolist()
    n = len(rows)
    ncols = min(n, 4)
    nrows = (n + ncols - 1) // ncols
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(2.6 * ncols + 0.4, 2.8 * nrows + 0.5), subplot_kw={"projection": "polar"}
    )
    axes = np.atleast_1d(axes).ravel()
    colours = plt.get_cmap("tab10")
    limit = max(2.0, float(np.abs(z).max()))
    for index, (ax, row, zrow) in enumerate(zip(axes, rows, z, strict=False)):
        closed = [*zrow.tolist(), zrow[0]]
        ax.plot([*angles, angles[0]], closed, color=colours(index % 10), linewidth=1.5)
        ax.fill([*angles, angles[0]], closed, color=colours(index % 10), alpha=0.25)
        ax.set_xticks(angles, axes_labels, fontsize=7)
        ax.set_ylim(-limit, limit)
        ax.set_yticks([-1, 0, 1], ["-1", "0", "+1"], fontsize=6)
        ax.set_title(f"{row[0]}: {row[1]}\n{row[5]:.0%} of revenue", fontsize=8, pad=14)
    for ax in axes[n:]:
        ax.set_visible(False)
    fig.suptitle("Segment profiles (standardised across segments)", fontsize=11)
    fig.tight_layout()
    return save(fig, path)


def pca_sample(con: duckdb.DuckDBPyConnection, limit: int = PCA_SAMPLE) -> tuple[list[tuple], int, bool]:
    """At most `limit` customers as (segment_id, segment_name, 3 features), their total, and whether the
    features are already standardised (the model's z_* columns) or still need it."""
    cols = require(con, "customer_segments", ["customer_id", "segment_id", "segment_name"])
    scaled = [c for c in ("z_recency_days", "z_frequency", "z_monetary") if c in cols]
    if len(scaled) == 3:
        features = ", ".join(f"cast({c} as double)" for c in scaled)
        already_scaled = True
    elif all(c in cols for c in ("recency_days", "frequency", "monetary")):
        features = ", ".join(
            f"ln(1 + cast({c} as double))" for c in ("recency_days", "frequency", "monetary")
        )
        already_scaled = False
    else:
        raise Skip(f"{SCHEMA}.customer_segments has neither z_* features nor recency_days/frequency/monetary")
    total = con.execute(f"select count(*) from {SCHEMA}.customer_segments").fetchone()[0]
    # A seeded sample that depends neither on row order nor on threads: the customers with the smallest hash
    # of (seed, id). The sampling happens in DuckDB; only the sampled rows reach Python.
    rows = con.execute(
        f"""
        select segment_id, segment_name, {features}
        from {SCHEMA}.customer_segments
        order by md5('{SEED}:' || cast(customer_id as varchar)), customer_id
        limit {int(limit)}
        """
    ).fetchall()
    return rows, total, already_scaled


def customer_pca(con: duckdb.DuckDBPyConnection, path: Path) -> Path:
    rows, total, already_scaled = pca_sample(con)
    segments = np.array([r[0] for r in rows])
    names = {r[0]: r[1] for r in rows}
    x = np.array([r[2:] for r in rows], dtype=float)
    if not already_scaled:
        std = x.std(axis=0)
        x = (x - x.mean(axis=0)) / np.where(std > 0, std, 1.0)
    x = x - x.mean(axis=0)
    # PCA by SVD; each component's sign is fixed (largest loading positive) so the picture never mirrors.
    _, singular, vt = np.linalg.svd(x, full_matrices=False)
    for i in range(vt.shape[0]):
        if vt[i, np.argmax(np.abs(vt[i]))] < 0:
            vt[i] = -vt[i]
    projected = x @ vt[:2].T
    explained = singular**2 / max(float((singular**2).sum()), 1e-12)
    fig, ax = plt.subplots(figsize=(7.5, 5.5))
    colours = plt.get_cmap("tab10")
    for index, segment in enumerate(sorted(names)):
        mask = segments == segment
        ax.scatter(projected[mask, 0], projected[mask, 1], s=4, alpha=0.5, color=colours(index % 10),
                   label=f"{segment}: {names[segment]} ({int(mask.sum()):,})", rasterized=True)  # fmt: skip
    ax.set_xlabel(f"PC1 ({explained[0]:.0%} of variance)")
    ax.set_ylabel(f"PC2 ({explained[1]:.0%} of variance)" if len(explained) > 1 else "PC2")
    shown = f"{len(rows):,} of {total:,} customers" if total > len(rows) else f"all {total:,} customers"
    ax.set_title(f"Customers in the segmentation's feature space (PCA, {shown})")
    ax.legend(markerscale=3, fontsize=7, frameon=False, loc="best")
    fig.tight_layout()
    return save(fig, path)


MODEL_LABELS = {
    "model": "propensity model",
    "rfm_score": "RFM score (baseline)",
    "bg_nbd": "BG/NBD (baseline)",
}


def backtest_lift(con: duckdb.DuckDBPyConnection, path: Path) -> Path:
    """Cumulative share of the out-of-time revenue captured by the top deciles by expected revenue, per model
    (the ranking of top_decile_revenue_capture); summed in DuckDB, ten rows per model reach pandas."""
    require(con, "model_backtest_scores", ["model", "value_decile", "actual_revenue"])
    rows = con.execute(
        f"""
        select model, value_decile,
            sum(actual_revenue) / nullif(sum(sum(actual_revenue)) over (partition by model), 0)
        from {SCHEMA}.model_backtest_scores
        group by model, value_decile
        order by model, value_decile
        """
    ).fetchall()
    fig, ax = plt.subplots(figsize=(7.5, 4.5))
    for model in sorted({r[0] for r in rows}):
        shares = [float(r[2] or 0) for r in rows if r[0] == model]
        ax.plot(np.arange(0, len(shares) + 1) * 10, [0.0, *np.cumsum(shares)], marker="o", ms=3,
                label=MODEL_LABELS.get(model, model))  # fmt: skip
    ax.plot([0, 100], [0, 1], color="grey", linestyle=":", label="random order")
    ax.set_xlabel("customers contacted, highest expected revenue first (% of customers scored)")
    ax.set_ylabel("share of the next H days' revenue")
    ax.yaxis.set_major_formatter(ticker.PercentFormatter(1.0))
    ax.set_title("Out-of-time gains: revenue captured by the top deciles")
    ax.legend(frameon=False, fontsize=8)
    fig.tight_layout()
    return save(fig, path)


def backtest_calibration(con: duckdb.DuckDBPyConnection, path: Path) -> Path:
    """Predicted against actual purchase rate per score decile, per model."""
    require(con, "model_calibration", ["model", "predicted_purchase_rate", "actual_purchase_rate"])
    rows = con.execute(
        f"select model, predicted_purchase_rate, actual_purchase_rate from {SCHEMA}.model_calibration "
        "order by model, score_decile"
    ).fetchall()
    fig, ax = plt.subplots(figsize=(5.5, 5.0))
    for model in sorted({r[0] for r in rows}):
        points = np.array([(float(r[1]), float(r[2])) for r in rows if r[0] == model])
        ax.plot(points[:, 0], points[:, 1], marker="o", ms=4, label=MODEL_LABELS.get(model, model))
    ax.plot([0, 1], [0, 1], color="grey", linestyle=":", label="perfect calibration")
    ax.set_xlabel("predicted purchase rate (decile mean)")
    ax.set_ylabel("actual purchase rate")
    ax.xaxis.set_major_formatter(ticker.PercentFormatter(1.0))
    ax.yaxis.set_major_formatter(ticker.PercentFormatter(1.0))
    ax.set_title("Calibration out of time, per score decile")
    ax.legend(frameon=False, fontsize=8)
    fig.tight_layout()
    return save(fig, path)


def segment_ari(con: duckdb.DuckDBPyConnection, path: Path) -> Path:
    """ARI of each earlier monthly refit against today's segments."""
    require(con, "segment_stability", ["months_before", "ari_shared", "recommended_refit_months"])
    rows = con.execute(
        f"select months_before, ari_shared, recommended_refit_months from {SCHEMA}.segment_stability "
        "order by months_before"
    ).fetchall()
    fig, ax = plt.subplots(figsize=(7.5, 4.0))
    ax.plot([r[0] for r in rows], [float(r[1]) for r in rows], marker="o", color="#4c72b0")
    ax.axhline(0.8, color="#c44e52", linestyle="--", label="ARI 0.8: refit below this")
    ax.set_xlabel("months before as_of_date the segmentation was fitted")
    ax.set_ylabel("adjusted Rand index vs today's segments")
    ax.set_ylim(min(0.0, min(float(r[1]) for r in rows)), 1.02)
    ax.set_xticks([r[0] for r in rows])
    ax.set_title(f"Segment stability over time (recommended refit: every {rows[0][2]} month(s))")
    ax.legend(frameon=False, fontsize=8)
    fig.tight_layout()
    return save(fig, path)


CHARTS: dict[str, Callable[[duckdb.DuckDBPyConnection, Path], Path]] = {
    "monthly_revenue.png": monthly_revenue,
    "top_items.png": top_items,
    "rfm_heatmap.png": rfm_heatmap,
    "segment_radar.png": segment_radar,
    "customer_pca.png": customer_pca,
    "backtest_lift.png": backtest_lift,
    "backtest_calibration.png": backtest_calibration,
    "segment_ari.png": segment_ari,
}


def render_all(database: Path, out_dir: Path, log=print) -> dict[str, Path | None]:
    """Draw every chart into out_dir; a chart whose mart is missing is skipped (and its old file removed)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    results: dict[str, Path | None] = {}
    with connect(database) as con:
        for name, draw in CHARTS.items():
            path = out_dir / name
            try:
                results[name] = draw(con, path)
                log(f"charts: wrote {path}")
            except Skip as reason:
                plt.close("all")
                # A picture of an older build would contradict the docs next to it.
                path.unlink(missing_ok=True)
                results[name] = None
                log(f"charts: skipped {name}: {reason}")
    return results


# --------------------------------------------------------------------------------------------------
# Key figures for the overview


@dataclass(frozen=True)
class Figure:
    label: str
    value: str
    model: str


def _money(value) -> str:
    return f"{float(value):,.2f}"


def _share(value) -> str:
    return f"{float(value):.1%}"


def key_figures(con: duckdb.DuckDBPyConnection) -> tuple[list[Figure], list[str]]:
    """Headline numbers from the marts; the second list names marts that were missing."""
    figures: list[Figure] = []
    missing: list[str] = []

    def have(table: str, needed: list[str]) -> bool:
        try:
            require(con, table, needed)
            return True
        except Skip:
            missing.append(table)
            return False

    def one(sql: str):
        return con.execute(sql).fetchone()

    if have("revenue_by_period", ["period_grain", "period_start", "revenue", "returns", "orders"]):
        first, last, revenue, returns = one(
            f"""select min(period_start), max(period_start), sum(revenue), sum(returns)
            from {SCHEMA}.revenue_by_period where period_grain = 'month'"""
        )
        figures += [
            Figure("Months with sales", f"{first:%Y-%m} .. {last:%Y-%m}", "revenue_by_period"),
            Figure("Revenue (sales, recognised when paid)", _money(revenue), "revenue_by_period"),
            Figure("Returns", _money(returns), "revenue_by_period"),
        ]
        peak = one(
            f"""select period_start, revenue from {SCHEMA}.revenue_by_period
            where period_grain = 'month' order by revenue desc, period_start limit 1"""
        )
        figures.append(Figure("Best month", f"{peak[0]:%Y-%m} ({_money(peak[1])})", "revenue_by_period"))
        years = con.execute(
            f"""select period_start, revenue from {SCHEMA}.revenue_by_period
            where period_grain = 'year' order by period_start"""
        ).fetchall()
        if years:
            text = ", ".join(f"{y:%Y}: {_money(r)}" for y, r in years)
            figures.append(Figure("Revenue by year", text, "revenue_by_period"))
    if have("fct_orders", ["order_key"]):
        cols = columns_of(con, "fct_orders")
        where = "where has_sale" if "has_sale" in cols else ""
        (orders,) = one(f"select count(*) from {SCHEMA}.fct_orders {where}")
        figures.append(Figure("Orders with a sale", f"{orders:,}", "fct_orders"))
        if "order_revenue" in cols:
            (aov,) = one(f"select avg(order_revenue) from {SCHEMA}.fct_orders {where}")
            figures.append(Figure("Average order value", _money(aov), "fct_orders"))
    if have("customer_rfm", ["customer_id", "frequency"]):
        buyers, repeat = one(
            f"select count(*), count(*) filter (where frequency > 1) from {SCHEMA}.customer_rfm"
        )
        figures += [
            Figure("Customers with a sale", f"{buyers:,}", "customer_rfm"),
            Figure(
                "Customers who ordered more than once",
                f"{repeat:,} ({_share(repeat / buyers)})",
                "customer_rfm",
            ),
        ]
    if have(
        "item_rankings",
        ["item_id", "item_name", "net_revenue", "net_units", "rank_by_revenue", "rank_by_units"],
    ):
        for rank_col, label in (
            ("rank_by_revenue", "Top item by net revenue"),
            ("rank_by_units", "Top item by net units"),
        ):
            item_id, name, revenue, units = one(
                f"""select item_id, item_name, net_revenue, net_units from {SCHEMA}.item_rankings
                where {rank_col} = 1 order by item_id limit 1"""
            )
            text = f"{name} (item {item_id}): {_money(revenue)}, {units:,} units"
            figures.append(Figure(label, text, "item_rankings"))
    if have("segment_profiles", ["segment_id", "segment_name", "customer_share", "revenue_share"]):
        cols = columns_of(con, "segment_profiles")
        action = ", recommended_action" if "recommended_action" in cols else ", null"
        value = ", value_index" if "value_index" in cols else ", null"
        for seg_id, name, cshare, rshare, act, value_index in con.execute(
            f"""select segment_id, segment_name, customer_share, revenue_share {action} {value}
            from {SCHEMA}.segment_profiles order by segment_id"""
        ).fetchall():
            text = f"{_share(cshare)} of customers, {_share(rshare)} of revenue"
            if value_index is not None:
                text += f", value index {float(value_index):.2f}"
            if act:
                text += f"; action: {act}"
            figures.append(Figure(f"Segment {seg_id}: {name}", text, "segment_profiles"))
    if have("data_quality_summary", ["source_table", "reason_code", "raw_rows", "quarantined_rows"]):
        # One total row per source table: its reason_code is null or a marker such as 'total'.
        for table, raw, quarantined in con.execute(
            f"""select source_table, raw_rows, quarantined_rows from {SCHEMA}.data_quality_summary
            where reason_code is null or lower(reason_code) in ('total', '_total', '(total)', 'all')
            order by source_table"""
        ).fetchall():
            text = (
                f"{raw:,} raw rows, {quarantined:,} quarantined ({_share(quarantined / raw if raw else 0)})"
            )
            figures.append(Figure(f"Data quality: {table}", text, "data_quality_summary"))
    return figures, missing


def figures_markdown(figures: list[Figure], missing: list[str]) -> str:
    lines = ["| figure | value | mart |", "| --- | --- | --- |"]
    for f in figures:
        lines.append(f"| {f.label} | {f.value} | {MODEL_LINK.format(name=f.model)} |")
    if missing:
        lines += ["", f"_Not built when these figures were generated: {', '.join(sorted(set(missing)))}._"]
    return "\n".join(lines)


def update_overview(overview: Path, database: Path) -> str:
    """Rewrite the text between the KEY FIGURES markers of `overview` with figures from `database`."""
    text = overview.read_text()
    if FIGURES_START not in text or FIGURES_END not in text:
        raise ChartsError(f"{overview}: no key-figures markers ({FIGURES_START!r} ... {FIGURES_END!r})")
    with connect(database) as con:
        figures, missing = key_figures(con)
    block = figures_markdown(figures, missing)
    pattern = re.compile(re.escape(FIGURES_START) + r".*?" + re.escape(FIGURES_END), re.DOTALL)
    new = pattern.sub(lambda _: f"{FIGURES_START}\n{block}\n{FIGURES_END}", text, count=1)
    overview.write_text(new)
    return block


def committed_figures(overview: Path) -> str:
    """The key-figures block as written in the overview (for the freshness test)."""
    text = overview.read_text()
    start = text.index(FIGURES_START) + len(FIGURES_START)
    return text[start : text.index(FIGURES_END)].strip("\n")


# --------------------------------------------------------------------------------------------------
# Self-contained static docs


def inline_html(html: Path, assets_dir: Path) -> list[str]:
    """Replace `assets/<name>.png` references in html with data URIs of the PNGs in assets_dir."""
    if not html.exists():
        raise ChartsError(f"{html}: no such file (run `dbt docs generate --static` first)")
    text = html.read_text(encoding="utf-8")
    inlined = []

    def data_uri(match: re.Match) -> str:
        png = assets_dir / match.group(1)
        if not png.exists():
            return match.group(0)  # left as a (broken) link; the caller reports it
        inlined.append(match.group(1))
        return "data:image/png;base64," + base64.b64encode(png.read_bytes()).decode("ascii")

    new = re.sub(r"assets/([A-Za-z0-9_\-]+\.png)", data_uri, text)
    html.write_text(new, encoding="utf-8")
    return sorted(set(inlined))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m ecom_analytics.charts", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--database", type=Path, help="the built warehouse (read-only)")
    parser.add_argument(
        "--out", type=Path, default=Path("assets"), help="folder of the PNGs (default assets)"
    )
    parser.add_argument("--overview", type=Path, help="rewrite the key-figures block of this markdown file")
    parser.add_argument("--inline-html", type=Path, help="embed the PNGs of --out into this static docs HTML")
    parser.add_argument("--no-charts", action="store_true", help="do not render the PNGs")
    args = parser.parse_args(argv)
    if args.database is None and (args.overview or not (args.no_charts or args.inline_html)):
        parser.error("--database is required to draw charts or key figures")
    try:
        if args.database is not None and not args.no_charts:
            results = render_all(args.database, args.out)
            skipped = [name for name, path in results.items() if path is None]
            print(f"charts: {len(results) - len(skipped)} written, {len(skipped)} skipped -> {args.out}")
        if args.overview:
            update_overview(args.overview, args.database)
            print(f"charts: key figures written into {args.overview}")
        if args.inline_html:
            names = inline_html(args.inline_html, args.out)
            print(
                f"charts: embedded {len(names)} picture(s) into {args.inline_html}: {', '.join(names) or '-'}"
            )
    except ChartsError as exc:
        print(f"charts: error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
