"""The shop-data generator: determinism, the exact raw format, sizes, and the planted truth recounted.

Every expected number here is recomputed from the CSVs with pandas, independently of the generator's code; the
manifest is only what is being checked.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from conftest import REAL_ITEMS_CSV, REPO, generate_shop

SMALL = 0.05
EXTRACTED = pd.Timestamp("2018-07-01")
HEADERS = {
    "users": "created_at,deleted_at,email_address,first_name,id,last_name,merged_at,parent_user_id",
    "items": "adjective,category,created_at,id,modifier,name,price",
    "orders": "invoice_id,line_item_id,user_id,item_id,item_name,item_category,price,created_at,paid_at",
    "events": "event_id,event_time,user_id,event_name,platform,parameter_name,parameter_value",
}
REAL_SIZES = {"users": 117_178, "items": 2_198, "orders": 47_402, "events": 853_640}
PARAMS = {
    "view_item": ["item_id", "referrer"],
    "test_assignment": ["test_id", "test_assignment"],
    "view_user_profile": ["viewed_user_id"],
}
PLATFORMS = {"server", "web", "android", "mobile web", "iOS"}
ARCHETYPES = {
    "loyal_high_value",
    "lapsed_big_spender",
    "recent_one_timer",
    "steady_low_value",
    "dormant_low_value",
}
# Every shop anomaly class of docs/architecture.md that the generator must plant.
REQUIRED = [
    "orders.duplicate_row",
    "orders.paid_before_created",
    "orders.unknown_item",
    "orders.unknown_user",
    "orders.merged_account",
    "orders.deleted_account",
    "orders.null_price",
    "orders.negative_price",
    "orders.unparseable_timestamp",
    "orders.future_dated",
    "orders.odd_timestamp_format",
    "orders.price_float_noise",
    "users.merged_user",
    "users.merge_cycle",
    "users.deleted_user",
    "users.unparseable_timestamp",
    "users.future_dated",
    "users.odd_timestamp_format",
    "events.duplicate_parameter",
    "events.unknown_user",
    "events.unknown_item",
    "events.unparseable_timestamp",
    "events.future_dated",
    "events.odd_timestamp_format",
    "items.free_item",
    "items.duplicate_name",
]
FLOAT_ID = r"^\d+\.0$"
TS = r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$"
ODD_TS = r"^\d{4}-\d{2}-\d{2} \d{2}-\d{2}-\d{2}$"


# ---- helpers: an independent reading of the raw files ------------------------------------------------------


def read(raw: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(raw / f"{name}.csv", dtype=str, keep_default_na=False)


def parse_ts(text: pd.Series) -> pd.Series:
    """Both timestamp styles; anything else (garbage, `None`) -> NaT."""
    fixed = text.str.replace(r"^(\d{4}-\d{2}-\d{2}) (\d{2})-(\d{2})-(\d{2})$", r"\1 \2:\3:\4", regex=True)
    return pd.to_datetime(fixed, format="%Y-%m-%d %H:%M:%S", errors="coerce")


def as_int(text: pd.Series) -> pd.Series:
    return text.astype(float).astype(np.int64)


class Shop:
    """The four files of one generated data set, with merges resolved and anomaly classes recomputed."""

    def __init__(self, raw: Path, truth: Path):
        self.raw, self.truth = raw, truth
        self.manifest = json.loads((truth / "manifest.json").read_text())
        self.users, self.items = read(raw, "users"), read(raw, "items")
        self.orders, self.events = read(raw, "orders"), read(raw, "events")
        self._users()
        self._orders()
        self._events()

    def _users(self) -> None:
        u = self.users
        self.user_ids = set(as_int(u.id))
        has_parent = u.parent_user_id != "None"
        parent = pd.Series(as_int(u.parent_user_id[has_parent]).values, index=as_int(u.id[has_parent]).values)
        # Follow parent pointers; a walk still going after many steps is on (or into) a cycle.
        cur = pd.Series(as_int(u.id).values, index=as_int(u.id).values)
        for _ in range(60):
            nxt = cur.map(parent)
            cur = nxt.fillna(cur).astype(np.int64)
        stuck = cur.map(parent).notna()
        self.cycle = set(cur.index[stuck])
        self.root = cur[~stuck]
        merged = parent.drop(list(self.cycle), errors="ignore")
        self.merged = set(merged.index)
        self.deleted = set(as_int(u.id[u.deleted_at != "None"]))
        created = parse_ts(u.created_at)
        c = {
            "merged_user": len(self.merged),
            "merge_cycle": len(self.cycle),
            "deleted_user": len(self.deleted),
            "unparseable_timestamp": int(((u.created_at != "None") & created.isna()).sum()),
            "future_dated": int((created >= EXTRACTED).sum()),
            "odd_timestamp_format": int((u.created_at.str.match(ODD_TS) & (created < EXTRACTED)).sum()),
        }
        # A chain of >= 3 accounts: a merged account whose parent is merged too, counted at its start.
        children = set(merged.values)
        self.chains = sum(1 for a, b in merged.items() if b in self.merged and a not in children)
        self.counts = {f"users.{k}": v for k, v in c.items()}

    def _orders(self) -> None:
        o = self.orders
        self.counts["orders.duplicate_row"] = int(o.duplicated().sum())
        o = o.drop_duplicates()
        user = as_int(o.user_id)
        created, paid = parse_ts(o.created_at), parse_ts(o.paid_at)
        price = pd.to_numeric(o.price.where(o.price != "None"), errors="coerce")
        item_ids = set(as_int(self.items.id))
        surviving = user.map(self.root).fillna(user).astype(np.int64)
        cls = pd.DataFrame(
            {
                "null_price": o.price == "None",
                "negative_price": price < 0,
                "unparseable_timestamp": created.isna() | paid.isna(),
                "future_dated": (created >= EXTRACTED) | (paid >= EXTRACTED),
                "odd_timestamp_format": (o.created_at.str.match(ODD_TS) | o.paid_at.str.match(ODD_TS))
                & created.notna()
                & paid.notna(),
                "price_float_noise": price.notna() & (o.price != price.round(2).map(repr)),
                "paid_before_created": paid < created,
                "unknown_item": ~as_int(o.item_id).isin(item_ids),
                "unknown_user": ~user.isin(self.user_ids),
                "merged_account": user.isin(self.merged),
                "deleted_account": surviving.isin(self.deleted),
            }
        )
        self.order_classes = cls
        self.counts.update({f"orders.{k}": int(v.sum()) for k, v in cls.items()})
        quarantined = cls.null_price | cls.negative_price | cls.unparseable_timestamp | cls.future_dated
        sales = o[~quarantined].assign(
            customer=surviving[~quarantined], price=price[~quarantined], created=created[~quarantined]
        )
        self.sales = sales

    def _events(self) -> None:
        e = self.events
        self.counts["events.duplicate_parameter"] = int(e.duplicated().sum())
        e = e.drop_duplicates()
        first = e.groupby("event_id", sort=False).first()
        self.event_params = e.groupby("event_id", sort=False).parameter_name.agg(list)
        self.event_time_values = e.groupby("event_id", sort=False).event_time.nunique()
        t = parse_ts(first.event_time)
        item = e[e.parameter_name == "item_id"].set_index("event_id").parameter_value
        cls = pd.DataFrame(
            {
                "unparseable_timestamp": t.isna(),
                "future_dated": t >= EXTRACTED,
                "odd_timestamp_format": first.event_time.str.match(ODD_TS) & (t < EXTRACTED),
                "unknown_user": ~as_int(first.user_id).isin(self.user_ids),
                "unknown_item": pd.Series(False, index=first.index),
            }
        )
        cls.loc[item.index, "unknown_item"] = ~as_int(item).isin(set(as_int(self.items.id))).values
        self.event_classes = cls
        self.event_first = first.assign(when=t)
        self.counts.update({f"events.{k}": int(v.sum()) for k, v in cls.items()})
        items = self.items
        self.counts["items.free_item"] = int((items.price.astype(float) == 0).sum())
        self.counts["items.duplicate_name"] = int(items.name.duplicated(keep=False).sum())


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ecom_analytics.generator", *args],
        cwd=REPO,
        env={"PYTHONPATH": str(REPO / "src"), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
    )


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> Shop:
    base = tmp_path_factory.mktemp("gen_small")
    generate_shop(base / "raw", base / "truth", scale=SMALL)
    return Shop(base / "raw", base / "truth")


@pytest.fixture(scope="module")
def default_shop(tmp_path_factory) -> Shop:
    """The default data set (`make run`): scale 1, seed 42."""
    base = tmp_path_factory.mktemp("gen_default")
    generate_shop(base / "raw", base / "truth", scale=1)
    return Shop(base / "raw", base / "truth")


def archetype_ari(shop: Shop) -> tuple[float, pd.DataFrame]:
    """RFM as the segmentation computes it, k-means with k = 5, ARI against the planted archetypes."""
    from sklearn.cluster import KMeans
    from sklearn.metrics import adjusted_rand_score
    from sklearn.preprocessing import StandardScaler

    arch = pd.read_csv(shop.truth / "archetypes.csv")
    labelled = arch.set_index("user_id").archetype
    inferred = pd.read_csv(shop.truth / "inferred_customers.csv").set_index("user_id").archetype
    s = shop.sales
    day = s.created.dt.normalize()
    as_of = day.max() + pd.Timedelta(days=1)
    rfm = (
        s.assign(day=day)
        .groupby("customer")
        .agg(last=("day", "max"), f=("invoice_id", "nunique"), m=("price", "sum"))
    )
    rfm["r"] = (as_of - rfm["last"]).dt.days
    truth = pd.concat([labelled, inferred]).reindex(rfm.index)
    x = StandardScaler().fit_transform(np.log1p(rfm[["r", "f", "m"]].to_numpy(float)))
    found = KMeans(n_clusters=5, n_init=10, random_state=0).fit_predict(x)
    return adjusted_rand_score(truth, found), rfm.assign(a=truth)


def monthly_sales(shop: Shop) -> pd.DataFrame:
    """Paid sales per month of payment: revenue and customers whose first sale is in that month."""
    s = shop.sales.assign(paid=parse_ts(shop.sales.paid_at))
    month = s.paid.dt.to_period("M")
    first = s.groupby("customer").paid.min().dt.to_period("M")
    return pd.DataFrame(
        {"revenue": s.groupby(month).price.sum(), "new_customers": first.value_counts()}
    ).fillna(0)


# ---- tests ------------------------------------------------------------------------------------------------


def test_cli_help_and_bad_arguments(tmp_path):
    assert run_cli("--help").returncode == 0
    bad = run_cli("--scale", "0", "--out", str(tmp_path / "raw"), "--truth", str(tmp_path / "truth"))
    assert bad.returncode == 2 and "--scale" in bad.stderr and "Traceback" not in bad.stderr
    inside = run_cli(
        "--scale", "0.01", "--out", str(tmp_path / "raw"), "--truth", str(tmp_path / "raw" / "t")
    )
    assert inside.returncode == 2 and "outside the raw folder" in inside.stderr
    assert not (tmp_path / "raw" / "events.csv").exists()


def test_same_seed_and_scale_give_identical_bytes(small, tmp_path):
    generate_shop(tmp_path / "raw", tmp_path / "truth", scale=SMALL)
    for name in ("users", "items", "orders", "events"):
        assert (tmp_path / "raw" / f"{name}.csv").read_bytes() == (small.raw / f"{name}.csv").read_bytes(), (
            name
        )
    for name in ("manifest.json", "archetypes.csv"):
        assert (tmp_path / "truth" / name).read_bytes() == (small.truth / name).read_bytes(), name
    other = tmp_path / "seed7"
    generate_shop(other / "raw", other / "truth", scale=SMALL, seed=7)
    assert (other / "raw" / "orders.csv").read_bytes() != (small.raw / "orders.csv").read_bytes()


def test_headers_and_value_formats(small):
    for name, header in HEADERS.items():
        assert (small.raw / f"{name}.csv").read_text().split("\n", 1)[0] == header, name
    u, i, o, e = small.users, small.items, small.orders, small.events
    assert u.id.str.match(r"^\d+$").all()
    assert u.parent_user_id.str.match(FLOAT_ID + "|^None$").all()
    for col in ("deleted_at", "merged_at"):
        assert u[col].str.match(TS + "|^None$").all(), col
    assert (u.created_at.str.match(TS) | u.created_at.str.match(ODD_TS)).mean() > 0.99
    assert ((u.deleted_at != "None") | (u.merged_at != "None")).any()
    assert (u.parent_user_id == "None").mean() > 0.9  # nulls are the string None, not empty
    assert i.id.str.match(FLOAT_ID).all() and i.created_at.str.match(TS).all()
    assert i.price.str.match(r"^\d+\.\d+$").all()
    for col in ("invoice_id", "line_item_id", "user_id", "item_id"):
        assert o[col].str.match(FLOAT_ID).all(), col
    assert o.price.str.match(r"^-?\d+\.\d+$|^None$").all()
    assert (o.price == "None").any() and o.price.str.len().max() >= 16  # `13.750000000000002`
    assert e.event_id.str.match(r"^\d+$").all() and e.user_id.str.match(FLOAT_ID).all()
    for frame in (u, o, e):
        assert not (frame == "").any().any()  # only the catalog has empty fields
    assert (i.adjective == "").any() and (i.modifier == "").any()


def test_events_are_entity_attribute_value_rows(small):
    e = small.events.drop_duplicates()
    assert set(e.platform) == PLATFORMS
    assert ((e.platform == "server") == (e.event_name == "test_assignment")).all()
    assert (small.event_time_values == 1).all()  # all parameter rows of an event carry the same time
    names = small.event_first.event_name
    assert set(names) == set(PARAMS)
    assert (small.event_params == names.map(PARAMS)).all()
    assert set(e.parameter_value[e.parameter_name == "test_assignment"]) == {"0", "1"}
    for param in ("item_id", "test_id", "viewed_user_id"):
        assert e.parameter_value[e.parameter_name == param].str.match(r"^\d+$").all(), param


def test_manifest_counts_are_in_the_files(small):
    planted = small.manifest["anomalies"]
    assert set(REQUIRED) <= set(planted)
    for key in REQUIRED:
        assert planted[key] > 0, key
    recount = {k: v for k, v in small.counts.items() if k in planted}
    assert recount == {k: planted[k] for k in recount}
    assert set(planted) <= set(small.counts)
    assert small.manifest["facts"]["users.merge_chains"] == small.chains >= 1
    assert small.manifest["facts"]["users.without_orders"] == len(
        small.user_ids - set(as_int(small.orders.user_id))
    )
    assert small.manifest["rows"] == {
        "users": len(small.users),
        "items": len(small.items),
        "orders": len(small.orders),
        "events": len(small.events),
    }
    assert small.manifest["seed"] == 42 and small.manifest["scale"] == SMALL
    assert small.manifest["extracted_at"] == "2018-07-01"


def test_planted_classes_are_disjoint(small):
    assert (small.order_classes.sum(axis=1) <= 1).all()
    assert (small.event_classes.sum(axis=1) <= 1).all()
    # A duplicate is a copy of an otherwise clean line.
    o = small.orders
    copies = o[o.duplicated()].drop_duplicates()
    first = o.drop_duplicates()
    clean = first[small.order_classes.sum(axis=1) == 0]
    assert len(copies.merge(clean)) == len(copies)
    # Users: a row is at most one of merged / cycle / deleted / timestamp-quirk.
    u = small.users
    created = parse_ts(u.created_at)
    quirk = (u.created_at.str.match(ODD_TS) | created.isna() | (created >= EXTRACTED)).astype(int)
    ids = as_int(u.id)
    total = ids.isin(small.merged).astype(int) + ids.isin(small.cycle) + ids.isin(small.deleted) + quirk
    assert (total <= 1).all()


def test_merges_chain_and_cycle(small):
    assert len(small.cycle) == 2
    orders_users = set(as_int(small.orders.user_id))
    event_users = set(as_int(small.events.user_id))
    assert not (small.cycle & (orders_users | event_users))
    # A chain A -> B -> C whose A and B both have order lines, all re-pointed to C.
    with_lines = small.merged & orders_users
    parents = dict(zip(as_int(small.users.id), small.users.parent_user_id, strict=True))
    chained = [a for a in with_lines if int(float(parents[a])) in with_lines]
    assert chained, "no merge chain whose first two accounts both have order lines"
    a = chained[0]
    b = int(float(parents[a]))
    assert small.root[a] == small.root[b] == int(float(parents[b]))


def test_nothing_normal_after_extraction_and_funnel(small):
    s = small.sales
    assert s.created.max() < EXTRACTED and s.created.min() >= pd.Timestamp("2013-01-01")
    ev = small.event_first
    normal = ev.when[ev.when < EXTRACTED]
    assert normal.min() >= pd.Timestamp("2013-01-01") and normal.max() > pd.Timestamp("2018-06-01")
    # Funnel: clean sale lines of known users have a view of the same item by the same user before the order.
    e = small.events.drop_duplicates()
    views = e[e.parameter_name == "item_id"][["event_id", "user_id", "event_time", "parameter_value"]]
    views = views.assign(item=views.parameter_value.astype(int), viewed=parse_ts(views.event_time))
    clean = s[(small.order_classes.loc[s.index].sum(axis=1) == 0)]
    clean = clean.assign(item=as_int(clean.item_id))
    joined = clean.merge(views, on=["user_id", "item"], how="left")
    preceded = joined[joined.viewed < joined.created].groupby("line_item_id").size()
    assert len(preceded) == clean.line_item_id.nunique()


def test_archetypes_cover_every_user_and_separate_in_rfm(small):
    assert not (small.raw / "archetypes.csv").exists()
    arch = pd.read_csv(small.truth / "archetypes.csv")
    assert list(arch.columns) == ["user_id", "archetype"]
    assert arch.user_id.is_unique and set(arch.user_id) == small.user_ids
    assert set(arch.archetype) == ARCHETYPES | {"non_buyer"}
    customers = set(small.sales.customer)
    labelled = arch.set_index("user_id").archetype
    buyers = set(labelled.index[labelled != "non_buyer"])
    assert buyers == customers & small.user_ids  # non-buyers never buy, merged accounts are not customers
    inferred = pd.read_csv(small.truth / "inferred_customers.csv").set_index("user_id").archetype
    assert set(inferred.index) == customers - small.user_ids
    # k-means on RFM as the segmentation computes it must recover the planted archetypes.
    ari, rfm = archetype_ari(small)
    assert ari >= 0.8
    medians = rfm.groupby("a")[["r", "f", "m"]].median()
    assert medians.loc["loyal_high_value", "m"] > 5 * medians.loc["steady_low_value", "m"]
    assert medians.loc["lapsed_big_spender", "r"] > 5 * medians.loc["loyal_high_value", "r"]


def test_default_shop_gets_new_customers_every_month(default_shop):
    """Customers arrive all the time: every month after the first quarter and before the last has some."""
    monthly = monthly_sales(default_shop)
    months = pd.period_range(monthly.index.min(), monthly.index.max(), freq="M")
    inner = months[3:-1]
    assert len(inner) >= 48
    empty = [str(m) for m in inner if monthly.new_customers.get(m, 0) == 0]
    assert not empty, f"months without a new customer: {empty}"


def test_default_shop_has_no_cliff_or_hockey_stick_at_the_edge(default_shop):
    """The last full month's revenue is within 30% of the mean of the three months before it."""
    monthly = monthly_sales(default_shop)
    assert str(monthly.index.max()) == "2018-06"  # extracted 2018-07-01: June is the last full month
    last, before = monthly.revenue.iloc[-1], monthly.revenue.iloc[-4:-1].mean()
    assert 0.7 <= last / before <= 1.3, (last, before)


def test_default_shop_archetypes_are_recovered(default_shop):
    ari, _ = archetype_ari(default_shop)
    assert ari >= 0.8


def test_experiments_match_the_files(small):
    tests = small.manifest["experiments"]
    assert 2 <= len(tests) <= 4
    assert any(t["has_effect"] for t in tests) and any(not t["has_effect"] for t in tests)
    e = small.events.drop_duplicates()
    ta = e[e.event_name == "test_assignment"].pivot(
        index="event_id", columns="parameter_name", values="parameter_value"
    )
    first = small.event_first.loc[ta.index]
    user = as_int(first.user_id)
    ta = ta.assign(customer=user.map(small.root).fillna(user).astype(np.int64).values, when=first.when.values)
    last_sale = small.sales.groupby("customer").created.max()
    ta["converted"] = ta.customer.map(last_sale) > ta["when"]
    for t in tests:
        rows = ta[ta.test_id == str(t["test_id"])]
        assert rows.customer.is_unique  # one assignment per user and test
        for arm, code in (("control", "0"), ("treatment", "1")):
            got = rows[rows.test_assignment == code]
            assert t["observed"][arm]["assigned"] == len(got), (t["test_id"], arm)
            assert t["observed"][arm]["converted"] == int(got.converted.sum()), (t["test_id"], arm)


def test_catalog_shape_and_not_a_copy(small):
    i = small.items
    price = i.price.astype(float)
    assert len(i) == 2_198 and i.id.is_unique
    assert i.category.nunique() == 10 and i[i.adjective != ""].adjective.nunique() == 13
    assert i[i.modifier != ""].modifier.nunique() == 9  # plus the empty one: ten modifier values
    assert (price[i.modifier == "how-to-manual"] == 0).all() and price.max() == 2_250 and price.min() == 0
    assert 900 <= i.name.nunique() <= 1_150
    assert 0.08 < (i.adjective == "").mean() < 0.2 and 0.25 < (i.modifier == "").mean() < 0.45
    assert i.created_at.min() >= "2013-02-22" and i.created_at.max() < "2014-02-26"
    if REAL_ITEMS_CSV.exists():
        real = pd.read_csv(REAL_ITEMS_CSV, dtype=str, keep_default_na=False)
        same = i.merge(real, on=["id", "name", "price", "created_at"])
        assert len(same) < 20, "the catalog looks copied from the real file"


def test_scale_one_sizes_match_the_real_files(default_shop):
    raw, truth = default_shop.raw, default_shop.truth
    for name, real in REAL_SIZES.items():
        with open(raw / f"{name}.csv", "rb") as fh:
            rows = sum(1 for _ in fh) - 1
        assert abs(rows - real) <= 0.05 * real, (name, rows, real)
    events = pd.read_csv(raw / "events.csv", usecols=["event_name", "platform"], dtype=str)
    for name, real in {"view_item": 525_572, "test_assignment": 324_980, "view_user_profile": 3_088}.items():
        assert abs((events.event_name == name).sum() - real) <= 0.05 * real, name
    for platform, real in {"web": 267_421, "android": 87_501, "mobile web": 87_224, "iOS": 86_514}.items():
        assert abs((events.platform == platform).sum() - real) <= 0.05 * real, platform
    manifest = json.loads((truth / "manifest.json").read_text())
    assert manifest["rows"]["events"] == len(events)


@pytest.mark.parametrize("layout", ["daily", "monthly"])
def test_landed_layouts_split_the_same_rows_by_landing_day(small, tmp_path, layout):
    """--layout daily/monthly writes the very rows of the single files, one hive partition per landing period
    (a month lands on its first day), each file with the header; every record's rows land together, on or
    after the day it happened, at most 2 days late."""
    raw = tmp_path / "raw"
    result = run_cli(
        *("--scale", str(SMALL), "--layout", layout, "--out", str(raw), "--truth", str(tmp_path / "truth"))
    )
    assert result.returncode == 0, result.stderr
    assert not (raw / "orders.csv").exists() and not (raw / "events.csv").exists()
    for name in ("users", "items"):
        assert (raw / f"{name}.csv").read_bytes() == (small.raw / f"{name}.csv").read_bytes()
    late = 0
    for name, key, time_column in (
        ("orders", "invoice_id", "created_at"),
        ("events", "event_id", "event_time"),
    ):
        files = sorted(raw.glob(f"{name}/landed_on=*/{name}.csv"))
        days = [f.parent.name.removeprefix("landed_on=") for f in files]
        assert files and all(len(d) == 10 for d in days)
        assert layout == "daily" or all(d.endswith("-01") for d in days)
        header = (small.raw / f"{name}.csv").read_text().split("\n", 1)[0]
        assert all(f.read_text().split("\n", 1)[0] == header for f in files)
        parts = []
        for f in files:
            part = pd.read_csv(f, dtype=str, keep_default_na=False)
            part["landed"] = f.parent.name.removeprefix("landed_on=")
            parts.append(part)
        landed = pd.concat(parts, ignore_index=True)
        single = read(small.raw, name)
        columns = list(single.columns)
        assert (
            landed[columns].sort_values(columns).values.tolist()
            == single.sort_values(columns).values.tolist()
        )
        assert (landed.groupby(key)["landed"].nunique() == 1).all(), f"{name}: a record split across files"
        if layout == "daily":
            when = parse_ts(landed[time_column])
            day = pd.to_datetime(landed["landed"])
            normal = when.notna() & (when < pd.Timestamp(small.manifest["extracted_at"]))
            delay = (day[normal] - when[normal].dt.normalize()).dt.days
            assert delay.between(0, 2).all(), f"{name}: landed before it happened or too late"
            late += int((delay > 0).sum())
    if layout == "daily":
        assert late > 0, "no record lands late"


def test_layouts_do_not_mix_in_one_folder(small, tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "events.csv").write_text((small.raw / "events.csv").read_text())
    mixed = run_cli(
        "--scale", str(SMALL), "--layout", "daily", "--out", str(raw), "--truth", str(tmp_path / "t")
    )
    assert mixed.returncode == 2 and "another layout" in mixed.stderr and "Traceback" not in mixed.stderr
    assert not list(raw.glob("events/landed_on=*/*.csv"))
