"""Package tests of ecom_analytics.segmentation: no warehouse needed.

Expected values are worked out by hand or from scikit-learn's own blob generator, never read back from the
code under test.
"""

from __future__ import annotations

import math

import duckdb
import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import make_blobs
from sklearn.metrics import silhouette_score
from threadpoolctl import threadpool_limits

from conftest import duckdb_type
from ecom_analytics.segmentation import (
    SegmentationInputError,
    assign_segments,
    canonicalise,
    chosen_k,
    customer_segments,
    evaluate_k,
    segment_model_selection,
    transform_features,
    validate_rfm,
)
from ecom_analytics.segmentation.clustering import (
    base_name,
    canonical_order,
    fit_segments,
    level,
    name_segments,
    segment_levels,
    spend_level,
)
from ecom_analytics.segmentation.models import CUSTOMER_SEGMENTS_TYPES
from ecom_analytics.segmentation.selection import candidate_ks, mean_silhouettes, sample_index

E = math.e


def rfm_frame(rows):
    return pd.DataFrame(rows, columns=["customer_id", "recency_days", "frequency", "monetary"])


def archetype_rfm(seed: int = 3, per_group: int = 300) -> pd.DataFrame:
    """Four clearly different groups of customers, like the generator's archetypes (hand-chosen medians)."""
    rng = np.random.default_rng(seed)
    groups = [(10, 9, 2_000.0), (600, 3, 1_500.0), (15, 1, 50.0), (800, 1, 30.0)]
    frames = []
    for g, (recency, frequency, monetary) in enumerate(groups):
        frames.append(
            pd.DataFrame(
                {
                    "recency_days": np.round(rng.lognormal(np.log(recency), 0.25, per_group)),
                    "frequency": np.maximum(1, rng.poisson(frequency, per_group)) if frequency > 1 else 1,
                    "monetary": np.round(rng.lognormal(np.log(monetary), 0.25, per_group), 2),
                    "group": g,
                }
            )
        )
    out = pd.concat(frames, ignore_index=True)
    out.insert(0, "customer_id", np.arange(1, len(out) + 1) * 7)
    return out


# --- feature transform ----------------------------------------------------------------------------


def test_transform_is_log1p_then_population_standardisation():
    # log1p of 0, e-1 and e^2-1 is 0, 1, 2: mean 1, population sd sqrt(2/3).
    frame = rfm_frame([(1, 0.0, E - 1, E**2 - 1), (2, E - 1, E**2 - 1, 0.0), (3, E**2 - 1, 0.0, E - 1)])
    out, scaler = transform_features(frame)
    z = 1 / math.sqrt(2 / 3)
    assert out["log_recency_days"].tolist() == pytest.approx([0, 1, 2])
    assert out["log_frequency"].tolist() == pytest.approx([1, 2, 0])
    assert out["z_recency_days"].tolist() == pytest.approx([-z, 0, z])
    assert out["z_frequency"].tolist() == pytest.approx([0, z, -z])
    assert out["z_monetary"].tolist() == pytest.approx([z, -z, 0])
    assert scaler.mean == pytest.approx((1, 1, 1))
    assert scaler.std == pytest.approx((math.sqrt(2 / 3),) * 3)


def test_constant_feature_scales_to_zero_not_nan():
    frame = rfm_frame([(1, 5, 1, 10.0), (2, 9, 1, 20.0), (3, 30, 1, 5.0)])
    out, _ = transform_features(frame)
    assert out["z_frequency"].tolist() == [0.0, 0.0, 0.0]


@pytest.mark.parametrize(
    ("rows", "columns", "message"),
    [
        ([(1, 3, 1)], ["customer_id", "recency_days", "frequency"], "missing column(s) monetary"),
        ([(1, 3, 1, None), (2, 4, 1, 5.0)], None, "1 row(s) with null monetary"),
        ([(1, -3, 1, 2.0), (2, 4, 1, 5.0)], None, "1 row(s) with negative recency_days (customer_id [1])"),
        ([(7, 3, 1, 2.0), (7, 4, 1, 5.0)], None, "customer_id is not unique (2 rows, e.g. [7])"),
    ],
)
def test_bad_input_names_the_model_and_the_problem(rows, columns, message):
    frame = pd.DataFrame(rows, columns=columns or ["customer_id", "recency_days", "frequency", "monetary"])
    with pytest.raises(SegmentationInputError) as error:
        validate_rfm(frame)
    assert str(error.value).startswith("customer_rfm: ")
    assert message in str(error.value)


def test_too_few_customers_is_a_clear_error():
    with pytest.raises(SegmentationInputError, match=r"customer_rfm: 3 customer\(s\).*at least 4 customers"):
        candidate_ks(3)
    assert candidate_ks(5) == [3, 4]
    assert candidate_ks(50_000) == list(range(3, 11))


def test_silhouette_sample_is_fixed_and_bounded():
    assert len(sample_index(123)) == 123
    first, second = sample_index(20_000, 5_000, seed=42), sample_index(20_000, 5_000, seed=42)
    assert len(first) == 5_000 and np.array_equal(first, second) and len(np.unique(first)) == 5_000


# --- canonical ids and names ----------------------------------------------------------------------


def test_canonical_order_is_monetary_desc_then_frequency_desc_then_recency_asc():
    # columns: recency, frequency, monetary (scaled). Hand-ordered: C (m 2), then A and D tie on m 1 -> the
    # higher frequency (D) first, then B (m -1).
    centers = np.array([[0.0, 0.1, 1.0], [0.0, 0.0, -1.0], [0.0, 0.0, 2.0], [0.0, 0.9, 1.0]])
    assert canonical_order(centers) == [2, 3, 0, 1]
    # Ties on monetary and frequency: the more recent (lower recency) first.
    assert canonical_order(np.array([[1.0, 0.0, 0.0], [-1.0, 0.0, 0.0]])) == [1, 0]


def test_permuting_raw_labels_gives_the_same_ids_and_centroids():
    centers = np.array([[-1.2, 1.3, 1.4], [1.1, 0.1, 1.2], [-0.8, -0.9, -0.7], [1.3, -0.9, -0.9]])
    labels = np.array([0, 1, 2, 3, 3, 2, 1, 0])
    ordered, ids = canonicalise(centers, labels)
    permutation = np.array([2, 0, 3, 1])  # raw label i becomes permutation[i]
    permuted_centers = np.empty_like(centers)
    permuted_centers[permutation] = centers
    ordered_p, ids_p = canonicalise(permuted_centers, permutation[labels])
    assert ids.tolist() == ids_p.tolist() == [1, 2, 3, 4, 4, 3, 2, 1]
    assert np.array_equal(ordered, ordered_p) and np.array_equal(ordered, centers)


def test_levels_and_names():
    assert [level(-0.51), level(-0.5), level(0.0), level(0.5), level(0.51)] == [
        "low",
        "mid",
        "mid",
        "mid",
        "high",
    ]
    assert [spend_level(v, 1.0, 3.0) for v in (1.0, 1.01, 3.0, 3.01)] == ["low", "mid", "mid", "high"]
    assert base_name("high", "mid", "low") == "Lapsed low-value repeat buyers"
    assert base_name("mid", "high", "mid") == "Cooling mid-value regulars"


def test_spend_level_is_plain_money_against_the_quartiles_of_all_customers():
    # Eight customers: spend quartiles 25% = 7.75 and 75% = 120 (numpy's linear rule). Segment 2 spends 60 on
    # average: mid-value, below the base's average of 111.5. Its centroid sits above the mean of the log
    # spend (+1), which the old log-scale level called high: the plain level does not.
    monetary = np.array([400.0, 300.0, 60.0, 60.0, 60.0, 10.0, 1.0, 1.0])
    ids = np.array([1, 1, 2, 2, 2, 3, 3, 3])
    centers = np.array([[-1.0, 1.0, 2.0], [0.0, 0.0, 1.0], [1.0, -1.0, -1.0]])
    assert np.quantile(monetary, [0.25, 0.75]).tolist() == [7.75, 120.0]
    assert segment_levels(centers, monetary, ids) == [
        ("low", "high", "high"),
        ("mid", "mid", "mid"),
        ("high", "low", "low"),
    ]


def test_duplicate_names_are_made_unique_in_canonical_order():
    levels = [("low", "high", "high"), ("low", "high", "high"), ("mid", "mid", "mid")]
    segments = name_segments(levels, np.zeros((3, 3)))
    assert [s.segment_name for s in segments] == [
        "Recent high-value regulars",
        "Recent high-value regulars 2",
        "Cooling mid-value repeat buyers",
    ]
    assert [s.segment_id for s in segments] == [1, 2, 3]


def test_row_order_does_not_change_the_segments():
    frame = archetype_rfm()
    shuffled = frame.sample(frac=1, random_state=11).reset_index(drop=True)
    first = assign_segments(frame.drop(columns="group"), 4)
    second = assign_segments(shuffled.drop(columns="group"), 4)
    pd.testing.assert_frame_equal(first, second)


def test_planted_groups_are_recovered_and_named_after_their_rfm():
    frame = archetype_rfm()
    out = assign_segments(frame.drop(columns="group"), 4).merge(frame[["customer_id", "group"]])
    # each planted group maps to exactly one segment and back
    pairs = out.groupby("group")["segment_id"].agg(lambda s: s.mode().iloc[0])
    purity = (out["segment_id"] == out["group"].map(pairs)).mean()
    assert purity > 0.98 and pairs.nunique() == 4
    names = out.groupby("group")["segment_name"].agg(lambda s: s.mode().iloc[0]).to_dict()
    # group 0 spends most -> segment 1; names follow the hand-chosen medians. Spend is against the quartiles
    # of all customers: with four equal groups only the top group is above the third quartile, so group 1
    # (1,500 against 2,000) is mid-value.
    assert pairs[0] == 1
    assert names[0].startswith("Recent high-value") and names[0].endswith("regulars")
    assert names[1].startswith("Lapsed mid-value")
    assert names[2].startswith("Recent") and names[2].endswith("one-timers")
    assert names[3].startswith("Lapsed low-value one-timers")


# --- choosing k -----------------------------------------------------------------------------------


def test_silhouette_is_scikit_learns_on_the_fixed_sample():
    """evaluate_k computes every k's silhouette in one pass over the sample's distances: same numbers as
    silhouette_score on the sample's points, for each k, sample smaller than the data."""
    points, _ = make_blobs(n_samples=900, centers=4, n_features=3, cluster_std=1.5, random_state=11)
    table = evaluate_k(points, k_max=6, sample_size=400, bootstrap_rounds=1)
    sample = sample_index(len(points), 400)
    for k, silhouette in zip(table["k"], table["silhouette"], strict=True):
        labels = fit_segments(points, k).segment_ids
        assert silhouette == pytest.approx(silhouette_score(points[sample], labels[sample]), abs=1e-12)


def test_mean_silhouettes_are_scikit_learns_for_every_labelling_and_chunk_size():
    """One pass over the distances, a few rows at a time, gives silhouette_score of every labelling: labels
    that are not 0..k-1, a point alone in its cluster (scores 0), chunks that do not divide the rows."""
    points, blobs = make_blobs(n_samples=97, centers=3, n_features=3, cluster_std=2.0, random_state=3)
    alone = blobs.copy()
    alone[0] = 7  # a cluster of one point
    labelings = [blobs + 1, np.where(points[:, 0] > 0, 5, 2), alone, np.arange(97) % 4]
    expected = [silhouette_score(points, labels) for labels in labelings]
    for chunk_rows in (1, 10, 97, 500):
        got = mean_silhouettes(points, labelings, chunk_rows=chunk_rows)
        assert got == pytest.approx(expected, abs=1e-12)


def test_mean_silhouettes_do_not_depend_on_the_thread_count():
    """dbt runs Python models side by side, so the thread count seen by one model is not guaranteed: the
    silhouettes must come out bit-identical however many BLAS threads there are."""
    points, _ = make_blobs(n_samples=5_000, centers=9, n_features=3, random_state=5)
    rng = np.random.default_rng(0)
    labelings = [rng.integers(0, k, len(points)) for k in (3, 9)]
    results = []
    for threads in (1, 2, 4):
        with threadpool_limits(limits=threads):
            results.append(mean_silhouettes(points, labelings))
    assert results[0] == results[1] == results[2]


@pytest.mark.parametrize(("true_k", "seed"), [(3, 7), (4, 1), (6, 5)])
def test_k_selection_finds_the_number_of_blobs(true_k, seed):
    points, _ = make_blobs(n_samples=1_800, centers=true_k, n_features=3, cluster_std=0.6, random_state=seed)
    table = evaluate_k(points, bootstrap_rounds=2)
    assert table["k"].tolist() == list(range(3, 11))
    assert int(table["is_chosen"].sum()) == 1
    assert int(table.loc[table["is_chosen"], "k"].iloc[0]) == true_k
    chosen = table.loc[table["is_chosen"]].iloc[0]
    assert chosen["stability_ari"] > 0.95
    assert table["inertia"].is_monotonic_decreasing


def test_tie_on_rounded_silhouette_goes_to_the_smaller_k():
    from ecom_analytics.segmentation.selection import choose_k

    mask = choose_k(pd.Series([0.4, 0.6121, 0.6124, 0.5]), pd.Series([2, 3, 4, 5]))
    assert mask.tolist() == [False, True, False, False]


# --- the dbt glue on an in-memory DuckDB ----------------------------------------------------------


@pytest.fixture
def rfm_connection():
    frame = archetype_rfm(per_group=80)
    con = duckdb.connect()
    con.register("frame", frame)
    con.execute(
        "create table customer_rfm as select cast(customer_id as bigint) as customer_id, "
        "cast(recency_days as integer) as recency_days, cast(frequency as integer) as frequency, "
        "cast(monetary as decimal(38, 3)) as monetary, 'Lost' as rfm_segment from frame"
    )
    yield con
    con.close()


def test_dbt_models_produce_typed_tables_with_one_row_per_customer(rfm_connection):
    con = rfm_connection
    segment_model_selection(con, con.table("customer_rfm")).create("selection")
    customer_segments(con, con.table("customer_rfm"), con.table("selection")).create("segments")
    types = dict(con.execute("select column_name, column_type from (describe segments)").fetchall())
    assert types["customer_id"] == "BIGINT" and types["segment_id"] == "INTEGER"
    assert types["monetary"] == "DECIMAL(38,3)" and types["z_monetary"] == "DOUBLE"
    # the same columns, in the same order, as the empty table of a build without customers
    assert list(types.items()) == [(c, duckdb_type(t)) for c, t in CUSTOMER_SEGMENTS_TYPES.items()]
    assert con.execute("select count(*) from selection where is_chosen").fetchone() == (1,)
    assert con.execute("select count(*) from segments").fetchone() == (320,)
    # monetary is carried over from customer_rfm exactly (never through a float)
    assert con.execute(
        "select count(*) from segments as s inner join customer_rfm as r using (customer_id) "
        "where s.monetary <> r.monetary"
    ).fetchone() == (0,)
    chosen = con.execute("select k from selection where is_chosen").fetchone()[0]
    assert con.execute("select min(segment_id), max(segment_id) from segments").fetchone() == (1, chosen)
    # override of k through the model config
    forced = customer_segments(con, con.table("customer_rfm"), con.table("selection"), n_segments=3)
    assert forced.aggregate("max(segment_id), max(n_segments)").fetchone() == (3, 3)


def test_chosen_k_errors_are_clear(rfm_connection):
    con = rfm_connection
    two = con.sql("select * from (values (2, true), (3, true)) as t(k, is_chosen)")
    with pytest.raises(SegmentationInputError, match="segment_model_selection: expected exactly one"):
        chosen_k(two)
    with pytest.raises(SegmentationInputError, match="n_segments must be an integer"):
        chosen_k(two, override="five")
    with pytest.raises(SegmentationInputError, match="missing column"):
        customer_segments(con, con.sql("select customer_id from customer_rfm"), two, n_segments=3)
