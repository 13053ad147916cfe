"""The docs reviewers and BI users read: descriptions everywhere, the overview, exposures, comments in DuckDB,
the pictures (src/ecom_analytics/charts.py) and the key figures on the overview.

The manifest tests run `dbt docs generate` on the shop build; the chart tests use tiny hand-made marts whose
expected values are worked out by hand below.
"""

from __future__ import annotations

import base64
import json
import math
import re
import shutil
from pathlib import Path

import duckdb
import pytest

from conftest import REPO, dbt
from ecom_analytics import charts

PROJECT = "ecom_analytics"
OVERVIEW = REPO / "models" / "overview.md"
# The public marts of CONTRACT.md: every one is read by at least one exposure.
CONTRACT_MARTS = {
    "fct_order_lines",
    "fct_orders",
    "dim_customers",
    "dim_items",
    "revenue_by_period",
    "item_rankings",
    "item_rankings_by_period",
    "customer_rfm",
    "customer_segments",
    "segment_profiles",
    "segment_model_selection",
    "data_quality_issues",
    "data_quality_summary",
}


# ---------------------------------------------------------------------------------------------------
# The manifest of the shop build


@pytest.fixture(scope="module")
def docs(shop_build, tmp_path_factory) -> dict:
    base = tmp_path_factory.mktemp("docs")
    target, db = base / "target", base / "warehouse.duckdb"
    # docs generate opens its warehouse for writing; a copy leaves the shared one to parallel readers.
    shutil.copyfile(shop_build.db, db)
    dbt(["docs", "generate"], db=db, target=target)
    return {
        "manifest": json.loads((target / "manifest.json").read_text()),
        "catalog": json.loads((target / "catalog.json").read_text()),
    }


def _blank(text: str | None) -> bool:
    return not (text or "").strip()


def _public_models(manifest: dict) -> dict[str, dict]:
    return {
        uid: node
        for uid, node in manifest["nodes"].items()
        if node["resource_type"] == "model" and node["package_name"] == PROJECT and node["schema"] == "marts"
    }


def test_public_models_and_their_columns_are_described(docs):
    manifest, catalog = docs["manifest"], docs["catalog"]
    models = _public_models(manifest)
    assert {n["name"] for n in models.values()} >= CONTRACT_MARTS, "a contract mart is missing from the build"
    problems = []
    for uid, node in sorted(models.items()):
        if _blank(node["description"]):
            problems.append(f"{uid}: no description")
        documented = {name.lower(): col for name, col in node["columns"].items()}
        # Columns of the real table (catalog) that the yml does not list are undocumented too.
        built = catalog["nodes"].get(uid, {}).get("columns", {})
        for column in sorted(set(documented) | {c.lower() for c in built}):
            if _blank(documented.get(column, {}).get("description")):
                problems.append(f"{uid}.{column}: no description")
    assert not problems, "undocumented public models/columns:\n" + "\n".join(problems)


# A column description is a sentence or two: it becomes the DuckDB column comment a BI tool shows as a
# tooltip. Longer explanations belong in the model description or a docs block.
COLUMN_DESCRIPTION_MAX = 250


def test_column_descriptions_are_short(docs):
    long = [
        f"{node['name']}.{name}: {len(col['description'])} characters"
        for node in _public_models(docs["manifest"]).values()
        for name, col in node["columns"].items()
        if len(col["description"]) > COLUMN_DESCRIPTION_MAX
    ]
    assert not long, f"column descriptions over {COLUMN_DESCRIPTION_MAX} characters:\n" + "\n".join(long)


def test_sources_seeds_and_macros_are_described(docs):
    manifest, catalog = docs["manifest"], docs["catalog"]
    problems = []
    for uid, source in sorted(manifest["sources"].items()):
        if source["package_name"] != PROJECT:
            continue
        if _blank(source["description"]):
            problems.append(f"{uid}: no description")
        for column, col in source["columns"].items():
            if _blank(col["description"]):
                problems.append(f"{uid}.{column}: no description")
    for uid, seed in sorted(manifest["nodes"].items()):
        if seed["resource_type"] != "seed" or seed["package_name"] != PROJECT:
            continue
        if _blank(seed["description"]):
            problems.append(f"{uid}: no description")
        documented = {name.lower(): col for name, col in seed["columns"].items()}
        built = catalog["nodes"].get(uid, {}).get("columns", {})
        for column in sorted(set(documented) | {c.lower() for c in built}):
            if _blank(documented.get(column, {}).get("description")):
                problems.append(f"{uid}.{column}: no description")
    for uid, macro in sorted(manifest["macros"].items()):
        if macro["package_name"] == PROJECT and _blank(macro["description"]):
            problems.append(f"{uid}: no description ({macro['original_file_path']})")
    assert not problems, "undocumented sources/seeds/macros/columns:\n" + "\n".join(problems)


def test_overview_replaces_the_default_and_its_links_resolve(docs):
    manifest = docs["manifest"]
    overview = manifest["docs"].get(f"doc.{PROJECT}.__overview__")
    assert overview is not None, "models/overview.md must define the {% docs __overview__ %} block"
    text = overview["block_contents"]
    for section in (
        "Datasets and anomalies",
        "Top items",
        "Revenue over time",
        "Purchasing patterns",
        "Customer segments",
        "Segment value and actions",
        "Further analyses",
        "Key figures",
    ):
        assert section in text, f"the overview has no section '{section}'"
    links = re.findall(r"\]\(#!/(model|source|seed|macro|exposure)/([^)]+)\)", text)
    assert len(links) >= 20, "the overview should link the models that answer each question"
    known = {**manifest["nodes"], **manifest["sources"], **manifest["macros"], **manifest["exposures"]}
    broken = sorted({f"{kind}/{uid}" for kind, uid in links if uid not in known})
    assert not broken, f"overview links to nothing: {broken}"
    linked = {uid.rsplit(".", 1)[-1] for _, uid in links}
    assert linked >= CONTRACT_MARTS, f"the overview does not link {sorted(CONTRACT_MARTS - linked)}"
    pictures = set(re.findall(r"\]\(assets/([^)]+\.png)\)", text))
    assert pictures == set(charts.CHARTS), (
        f"overview pictures {sorted(pictures)} != charts {sorted(charts.CHARTS)}"
    )


def test_exposures_cover_the_marts(docs):
    manifest = docs["manifest"]
    exposures = {e["name"]: e for e in manifest["exposures"].values() if e["package_name"] == PROJECT}
    assert {"revenue_dashboard", "item_performance_dashboard", "customer_segments_dashboard"} <= set(
        exposures
    )
    assert "data_quality_dashboard" in exposures
    read = set()
    for name, exposure in exposures.items():
        assert exposure["type"] == "dashboard", name
        assert not _blank(exposure["description"]), name
        assert exposure["owner"]["name"] and exposure["owner"]["email"], (
            f"{name}: owner needs a name and email"
        )
        for uid in exposure["depends_on"]["nodes"]:
            node = manifest["nodes"][uid]
            assert node["schema"] == "marts", f"{name} reads {uid}, which is not a public mart"
            read.add(node["name"])
    assert read >= CONTRACT_MARTS, f"no dashboard reads {sorted(CONTRACT_MARTS - read)}"


def test_descriptions_are_persisted_as_duckdb_comments(docs, shop_build):
    """persist_docs: BI tools browsing the database see the same descriptions as the docs site."""
    models = _public_models(docs["manifest"])
    with duckdb.connect(str(shop_build.db), read_only=True) as con:
        tables = dict(
            con.execute(
                "select table_name, comment from duckdb_tables() where schema_name = 'marts'"
            ).fetchall()
        )
        columns = {
            (t, c.lower()): comment
            for t, c, comment in con.execute(
                "select table_name, column_name, comment from duckdb_columns() where schema_name = 'marts'"
            ).fetchall()
        }
    problems = []
    for node in models.values():
        name = node["name"]
        if name not in tables:
            problems.append(f"marts.{name}: not in the database")
            continue
        if (tables[name] or "").strip() != node["description"].strip():
            problems.append(f"marts.{name}: table comment {tables[name]!r:.60} != its description")
        for column, col in node["columns"].items():
            comment = columns.get((name, column.lower()))
            if (comment or "").strip() != col["description"].strip():
                problems.append(f"marts.{name}.{column}: column comment {comment!r:.60} != its description")
    assert not problems, "descriptions missing from DuckDB comments:\n" + "\n".join(problems)


def test_key_figures_on_the_overview_are_those_of_the_default_dataset(shop_build):
    """The committed figures must match a fresh build of the default dataset (seed 42, scale 1)."""
    truth = json.loads((shop_build.truth / "manifest.json").read_text())
    if (truth.get("seed"), float(truth.get("scale", 0))) != (42, 1.0):
        pytest.skip(
            f"the shop build is seed {truth.get('seed')} scale {truth.get('scale')}, not the default 42/1"
        )
    with duckdb.connect(str(shop_build.db), read_only=True) as con:
        figures, missing = charts.key_figures(con)
    expected = charts.figures_markdown(figures, missing)
    assert not missing, f"marts missing for the key figures: {missing}"
    assert charts.committed_figures(OVERVIEW) == expected, (
        "models/overview.md has stale key figures: regenerate them with\n"
        "  python -m ecom_analytics.charts --database data/warehouse.duckdb "
        "--overview models/overview.md --no-charts"
    )


# ---------------------------------------------------------------------------------------------------
# Charts and figures on tiny hand-made marts


def make_marts(path: Path, *, segments: bool = True, order: str = "customer_id") -> Path:
    """Hand-made marts: 3 months of revenue, 12 items, 10 customers in 2 segments."""
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        con.execute(
            """create table marts.revenue_by_period as select * from (values
            ('month', date '2017-01-01', 100.000, 10.000, 90.000, 4),
            ('month', date '2017-02-01', 250.500, 0.000, 250.500, 6),
            ('month', date '2017-03-01', 175.250, 5.250, 170.000, 5),
            ('year', date '2017-01-01', 525.750, 15.250, 510.500, 15)
            ) t(period_grain, period_start, revenue, returns, net_revenue, orders)"""
        )
        con.execute(
            """create table marts.item_rankings as
            select cast(100 + i as varchar) as item_id, 'gadget' as item_name, 'device' as category,
                cast(1000 - 50 * i as decimal(18, 3)) as net_revenue, 40 - i as net_units,
                cast(i + 1 as integer) as rank_by_revenue, cast(12 - i as integer) as rank_by_units
            from range(12) t(i)"""
        )
        # Customer c: r_score 1 + c % 5, f_score = frequency = 1 + c // 5 (1 or 2), monetary 10 * (c + 1).
        con.execute(
            f"""create table marts.customer_rfm as
            select c as customer_id, cast(1 + c % 5 as integer) as r_score,
                cast(1 + c // 5 as integer) as f_score,
                cast(10 * (c + 1) as decimal(38, 3)) as monetary, cast(1 + c // 5 as integer) as frequency,
                cast(5 * c as integer) as recency_days
            from range(10) t(c) order by {order}"""
        )
        if segments:
            con.execute(
                f"""create table marts.customer_segments as
                select customer_id, cast(customer_id % 2 as integer) as segment_id,
                    case when customer_id % 2 = 0 then 'even' else 'odd' end as segment_name,
                    recency_days, frequency, monetary
                from marts.customer_rfm order by {order}"""
            )
            con.execute(
                """create table marts.segment_profiles as select * from (values
                (0, 'even', 0.5, 0.4, 10.0, 1.2, 40.0, 0.8, 'nurture'),
                (1, 'odd', 0.5, 0.6, 20.0, 1.8, 60.0, 1.2, 'reward')
                ) t(segment_id, segment_name, customer_share, revenue_share, avg_recency_days, avg_frequency,
                    avg_monetary, value_index, recommended_action)"""
            )
            con.execute(
                """create table marts.segment_stability as
                select cast(m as integer) as months_before, 1.0 - 0.05 * m as ari_shared,
                    cast(3 as integer) as recommended_refit_months
                from range(1, 13) t(m)"""
            )
        # Two models x 20 customers scored out of time, ten deciles each.
        con.execute(
            """create table marts.model_backtest_scores as
            select m.model, c as customer_id, cast(1 + c // 2 as integer) as value_decile,
                cast(40 - 2 * c as decimal(38, 3)) as actual_revenue
            from range(20) t(c) cross join (values ('model'), ('bg_nbd')) m(model)"""
        )
        con.execute(
            """create table marts.model_calibration as
            select m.model, cast(d as integer) as score_decile, 1.0 - d / 10.0 as predicted_purchase_rate,
                1.0 - d / 11.0 as actual_purchase_rate
            from range(1, 11) t(d) cross join (values ('model'), ('bg_nbd')) m(model)"""
        )
    return path


def test_charts_are_deterministic(tmp_path):
    db = make_marts(tmp_path / "w.duckdb")
    first = charts.render_all(db, tmp_path / "a", log=lambda _: None)
    second = charts.render_all(db, tmp_path / "b", log=lambda _: None)
    assert all(path is not None for path in first.values()), first
    for name in charts.CHARTS:
        data = (tmp_path / "a" / name).read_bytes()
        assert data.startswith(b"\x89PNG"), name
        assert data == (tmp_path / "b" / name).read_bytes(), f"{name} differs between two renders"
    assert second.keys() == first.keys()


def test_missing_marts_skip_their_charts_with_a_message(tmp_path):
    db = make_marts(tmp_path / "w.duckdb", segments=False)
    out = tmp_path / "assets"
    out.mkdir()
    (out / "segment_radar.png").write_bytes(b"a picture of an older build")
    messages: list[str] = []
    results = charts.render_all(db, out, log=messages.append)
    assert results["segment_radar.png"] is None and results["customer_pca.png"] is None
    assert results["monthly_revenue.png"] is not None and results["rfm_heatmap.png"] is not None
    skipped = [m for m in messages if "skipped" in m]
    assert any("marts.segment_profiles is not built" in m for m in skipped), messages
    assert any("marts.customer_segments is not built" in m for m in skipped), messages
    assert not (out / "segment_radar.png").exists(), "a stale picture must not survive a skipped chart"


def test_charts_on_a_missing_database_is_a_clear_error(tmp_path, capsys):
    missing = tmp_path / "nope.duckdb"
    assert charts.main(["--database", str(missing), "--out", str(tmp_path / "assets")]) == 2
    assert f"{missing}: no such database file" in capsys.readouterr().err


def test_pca_sample_is_capped_seeded_and_independent_of_row_order(tmp_path):
    by_id = make_marts(tmp_path / "a.duckdb")
    shuffled = make_marts(tmp_path / "b.duckdb", order="md5(cast(customer_id as varchar)) desc")
    with duckdb.connect(str(by_id), read_only=True) as a, duckdb.connect(str(shuffled), read_only=True) as b:
        rows_a, total_a, scaled_a = charts.pca_sample(a, limit=4)
        rows_b, total_b, _ = charts.pca_sample(b, limit=4)
        everyone, _, _ = charts.pca_sample(a, limit=100)
    assert (total_a, total_b) == (10, 10)
    assert len(rows_a) == 4 and rows_a == rows_b
    assert len(everyone) == 10
    assert scaled_a is False  # no z_* columns here: the chart standardises log1p features itself
    # Features are log1p of recency_days, frequency, monetary: customer 0 has (0, 1, 10).
    assert any(r[2:] == pytest.approx((0.0, math.log(2), math.log(11))) for r in everyone)


def test_key_figures_from_hand_made_marts(tmp_path):
    db = make_marts(tmp_path / "w.duckdb")
    with duckdb.connect(str(db), read_only=True) as con:
        figures, missing = charts.key_figures(con)
    values = {f.label: f.value for f in figures}
    assert values["Months with sales"] == "2017-01 .. 2017-03"
    assert values["Revenue (sales, recognised when paid)"] == "525.75"  # 100 + 250.5 + 175.25
    assert values["Returns"] == "15.25"  # 10 + 0 + 5.25
    assert values["Best month"] == "2017-02 (250.50)"
    assert values["Customers with a sale"] == "10"
    assert values["Customers who ordered more than once"] == "5 (50.0%)"  # customers 5..9 have frequency 2
    assert values["Top item by net revenue"] == "gadget (item 100): 1,000.00, 40 units"
    assert values["Top item by net units"] == "gadget (item 111): 450.00, 29 units"
    assert (
        values["Segment 1: odd"] == "50.0% of customers, 60.0% of revenue, value index 1.20; action: reward"
    )
    assert sorted(set(missing)) == ["data_quality_summary", "fct_orders"]
    markdown = charts.figures_markdown(figures, missing)
    assert "[item_rankings](#!/model/model.ecom_analytics.item_rankings)" in markdown
    assert "Not built when these figures were generated: data_quality_summary, fct_orders" in markdown


def test_update_overview_rewrites_only_the_figures_block(tmp_path):
    db = make_marts(tmp_path / "w.duckdb")
    page = tmp_path / "overview.md"
    page.write_text(f"before\n{charts.FIGURES_START}\nold figures\n{charts.FIGURES_END}\nafter\n")
    charts.update_overview(page, db)
    text = page.read_text()
    assert text.startswith(f"before\n{charts.FIGURES_START}\n| figure | value | mart |")
    assert text.endswith(f"{charts.FIGURES_END}\nafter\n")
    assert "old figures" not in text
    assert "525.75" in charts.committed_figures(page)


def test_inline_html_embeds_the_pictures(tmp_path):
    assets = tmp_path / "assets"
    assets.mkdir()
    png = b"\x89PNG\r\n\x1a\nnot really a picture"
    (assets / "monthly_revenue.png").write_bytes(png)
    html = tmp_path / "static_index.html"
    html.write_text('{"block_contents": "![a](assets/monthly_revenue.png) ![b](assets/missing.png)"}')
    assert charts.inline_html(html, assets) == ["monthly_revenue.png"]
    text = html.read_text()
    uri = re.search(r"data:image/png;base64,([A-Za-z0-9+/=]+)", text).group(1)
    assert base64.b64decode(uri) == png
    assert "assets/missing.png" in text  # left alone: nothing to embed
