"""Tests on the built warehouse (fixture `shop_build`): the segmentation marts against the generator's ground
truth and against figures recomputed here in pandas from customer_rfm."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
import yaml
from sklearn.metrics import adjusted_rand_score

from conftest import REPO, dbt, duckdb_type
from ecom_analytics.segmentation import assign_segments

pytestmark = pytest.mark.slow

MIN_ARI = 0.8
SEGMENT_TABLES = (
    "segment_model_selection",
    "customer_segments",
    "segment_profiles",
    "segment_rfm_crosstab",
    "segment_stability",
)
YML_FILES = (
    REPO / "python_models" / "_segmentation__models.yml",
    REPO / "models" / "marts" / "segments" / "_segments__models.yml",
)


def planted_vs_segments(build) -> pd.DataFrame:
    truth_file = build.truth / "archetypes.csv"
    if not truth_file.exists():
        pytest.fail(f"{truth_file}: the generator's ground truth is missing")
    truth = pd.read_csv(truth_file)
    if not {"user_id", "archetype"} <= set(truth.columns):
        pytest.fail(f"{truth_file}: expected columns user_id, archetype; found {list(truth.columns)}")
    segments = build.df("select customer_id, segment_id, segment_name from marts.customer_segments")
    return segments.merge(truth, left_on="customer_id", right_on="user_id", how="inner")


def test_segments_recover_the_planted_archetypes(shop_build):
    paired = planted_vs_segments(shop_build)
    customers = shop_build.query("select count(*) from marts.customer_segments")[0][0]
    # compare on the customers present in both; customers only inferred from order lines of unknown users have
    # no archetype, but a join that silently matched nothing must not pass
    assert len(paired) >= 0.9 * customers, f"only {len(paired)} of {customers} customers have an archetype"
    ari = adjusted_rand_score(paired["archetype"], paired["segment_id"])
    if ari < MIN_ARI:
        rfm = shop_build.df("select customer_id, recency_days, frequency, monetary from marts.customer_rfm")
        per_k = {
            k: round(
                adjusted_rand_score(
                    paired["archetype"],
                    paired[["customer_id"]].merge(assign_segments(rfm, k))["segment_id"],
                ),
                3,
            )
            for k in range(3, 9)
        }
        table = pd.crosstab(paired["segment_name"], paired["archetype"])
        pytest.fail(f"ARI {ari:.3f} < {MIN_ARI}; ARI per k {per_k}\n{table.to_string()}")


def test_exactly_one_chosen_k_and_its_stability_is_reported(shop_build):
    selection = shop_build.df("select * from marts.segment_model_selection order by k")
    assert selection["k"].tolist() == list(range(3, 11))
    assert int(selection["is_chosen"].sum()) == 1
    chosen = selection.loc[selection["is_chosen"]].iloc[0]
    # the rule: highest silhouette rounded to 3 decimals, ties to the smaller k
    rounded = selection["silhouette"].round(3)
    assert chosen["k"] == selection.loc[rounded == rounded.max(), "k"].min()
    assert -1 <= chosen["stability_ari_min"] <= chosen["stability_ari"] <= 1
    segments_k = shop_build.query("select max(segment_id), min(segment_id) from marts.customer_segments")[0]
    assert segments_k == (chosen["k"], 1)


def test_built_tables_have_the_documented_types(shop_build):
    documented = {}
    for yml in YML_FILES:
        for node in yaml.safe_load(yml.read_text())["models"]:
            documented[node["name"]] = {c["name"]: c["data_type"] for c in node["columns"]}
    assert set(documented) == set(SEGMENT_TABLES)
    for table, columns in documented.items():
        built = dict(shop_build.query(f"select column_name, column_type from (describe marts.{table})"))
        normalised = {name: duckdb_type(kind) for name, kind in columns.items()}
        assert built == normalised, table


def test_profiles_match_a_pandas_recount(shop_build):
    rfm = shop_build.df("select customer_id, recency_days, frequency, monetary from marts.customer_rfm")
    segments = shop_build.df("select customer_id, segment_id, segment_name from marts.customer_segments")
    assert len(segments) == len(rfm) and set(segments["customer_id"]) == set(rfm["customer_id"])
    joined = rfm.merge(segments, on="customer_id")
    joined["monetary"] = joined["monetary"].astype(float)
    logs = np.log1p(joined[["recency_days", "frequency", "monetary"]].astype(float))
    expected = joined.groupby("segment_id").agg(
        customers=("customer_id", "size"), revenue=("monetary", "sum"), avg_frequency=("frequency", "mean")
    )
    expected["customer_share"] = expected["customers"] / len(joined)
    expected["revenue_share"] = expected["revenue"] / joined["monetary"].sum()
    expected["value_index"] = expected["revenue_share"] / expected["customer_share"]
    z = (logs.groupby(joined["segment_id"]).mean() - logs.mean()) / logs.std(ddof=0)
    profiles = shop_build.df("select * from marts.segment_profiles order by segment_id").set_index(
        "segment_id"
    )
    assert profiles.index.tolist() == list(range(1, len(expected) + 1))
    for column in ("customers", "customer_share", "revenue_share", "value_index", "avg_frequency"):
        assert profiles[column].astype(float).tolist() == pytest.approx(expected[column].tolist(), rel=1e-9)
    assert profiles["revenue"].astype(float).tolist() == pytest.approx(expected["revenue"].tolist(), rel=1e-9)
    # The mart keeps 6 decimals of each deviation (two builds agree to the bit): half a unit in the 6th.
    assert profiles["monetary_deviation_z"].tolist() == pytest.approx(z["monetary"].tolist(), abs=5e-7)
    assert profiles["recency_deviation_z"].tolist() == pytest.approx(z["recency_days"].tolist(), abs=5e-7)
    assert profiles["segment_name"].is_unique and profiles["recommended_action"].notna().all()
    # canonical order: segment 1 has the highest mean log monetary
    assert logs["monetary"].groupby(joined["segment_id"]).mean().idxmax() == 1


def test_crosstab_covers_every_customer_once(shop_build):
    rows = shop_build.df("select * from marts.segment_rfm_crosstab")
    rfm = shop_build.df("select rfm_segment, count(*) as n from marts.customer_rfm group by rfm_segment")
    assert rows["segment_id"].notna().all()
    by_rfm = rows.groupby("rfm_segment")["customers"].sum().sort_index()
    assert by_rfm.tolist() == rfm.set_index("rfm_segment")["n"].sort_index().tolist()
    assert rows.groupby("segment_id")["share_of_segment"].sum().tolist() == pytest.approx(
        [1.0] * rows["segment_id"].nunique()
    )


def test_rebuilding_gives_identical_segments(shop_build, tmp_path: Path):
    copy = tmp_path / "copy.duckdb"
    shutil.copyfile(shop_build.db, copy)
    dbt(
        ["run", "--select", "segment_model_selection", "customer_segments"],
        db=copy,
        target=tmp_path / "target",
        dbt_vars={"shop_raw_path": str(shop_build.raw)},
    )
    original = shop_build.df("select * from marts.customer_segments order by customer_id")
    with duckdb.connect(str(copy), read_only=True) as con:
        rebuilt = con.execute("select * from marts.customer_segments order by customer_id").df()
        rebuilt_selection = con.execute("select * from marts.segment_model_selection order by k").df()
    pd.testing.assert_frame_equal(original, rebuilt, check_exact=True)
    pd.testing.assert_frame_equal(
        shop_build.df("select * from marts.segment_model_selection order by k"),
        rebuilt_selection,
        check_exact=True,
    )
