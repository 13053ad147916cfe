"""Generate the shop's users, orders and events one block of users at a time, planting known anomalies.

Every block draws from its own random stream (seed, block number), so the output depends only on the seed
and the scale. Each planted anomaly is counted where it is planted; a planted row carries exactly one planted
class.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from . import fmt
from . import spec as S
from .catalog import UNKNOWN_ITEM_ID_BASE, Catalog

_FIRST = (
    "james mary john patricia robert jennifer michael linda william david barbara richard susan joseph "
    "jessica thomas sarah charles karen maria wei yuki ana luis fatima olga pierre anna lars priya"
)
_LAST = (
    "smith johnson williams brown jones garcia miller davis rodriguez martinez hernandez lopez gonzalez "
    "wilson anderson thomas taylor moore jackson lee martin perez thompson white harris sanchez clark kim"
)
FIRST_NAMES = np.array(_FIRST.split())
LAST_NAMES = np.array(_LAST.split())
EMAIL_DOMAINS = np.array(["gmail.com", "yahoo.com", "hotmail.com", "example.com", "mail.com"])

# Order-line classes (one per raw line).
CLEAN, PAID_BEFORE, ODD_TS, NOISE, UNKNOWN_ITEM, DUPLICATE, NULL_PRICE, NEG_PRICE = range(8)
GARBAGE_TS, FUTURE, MERGED, DELETED, UNKNOWN_USER = range(8, 13)
ORDER_CLASS = {
    PAID_BEFORE: "paid_before_created",
    ODD_TS: "odd_timestamp_format",
    NOISE: "price_float_noise",
    UNKNOWN_ITEM: "unknown_item",
    DUPLICATE: "duplicate_row",
    NULL_PRICE: "null_price",
    NEG_PRICE: "negative_price",
    GARBAGE_TS: "unparseable_timestamp",
    FUTURE: "future_dated",
    MERGED: "merged_account",
    DELETED: "deleted_account",
    UNKNOWN_USER: "unknown_user",
}
# Event classes (one per event; duplicate_parameter is per extra row).
EV_CLEAN, EV_UNKNOWN_USER, EV_UNKNOWN_ITEM, EV_GARBAGE, EV_FUTURE, EV_ODD = range(6)
EVENT_CLASS = {
    EV_UNKNOWN_USER: "unknown_user",
    EV_UNKNOWN_ITEM: "unknown_item",
    EV_GARBAGE: "unparseable_timestamp",
    EV_FUTURE: "future_dated",
    EV_ODD: "odd_timestamp_format",
}
VIEW, TEST, PROFILE = 0, 1, 2
EVENT_NAMES = np.array(["view_item", "test_assignment", "view_user_profile"], dtype=object)
# Invoice kinds.
INV_PLAIN, INV_MERGED, INV_DELETED, INV_GHOST = range(4)
# User classes (one per users row).
U_NONE, U_MERGED, U_CYCLE, U_DELETED, U_ODD, U_GARBAGE, U_FUTURE = range(7)
USER_CLASS = {
    U_MERGED: "merged_user",
    U_CYCLE: "merge_cycle",
    U_DELETED: "deleted_user",
    U_ODD: "odd_timestamp_format",
    U_GARBAGE: "unparseable_timestamp",
    U_FUTURE: "future_dated",
}


@dataclass
class Counters:
    """Ids that run on across blocks."""

    user_id: int = 1
    invoice_id: int = S.INVOICE_ID_START
    line_id: int = 1
    event_id: int = 1
    ghost_id: int = S.UNKNOWN_ORDER_USER_BASE
    event_ghost_id: int = S.UNKNOWN_EVENT_USER_BASE


@dataclass
class Block:
    """One block's files (columns of strings, in file order) and what was planted in it."""

    users: dict
    orders: dict
    events: dict
    archetype_user_id: np.ndarray
    archetype: np.ndarray
    ghost_user_id: np.ndarray
    ghost_archetype: np.ndarray
    # Day (epoch days) each orders/events row lands in the raw export, in file order (see landing_day).
    orders_landed: np.ndarray
    events_landed: np.ndarray
    anomalies: dict = field(default_factory=dict)
    facts: dict = field(default_factory=dict)
    experiments: dict = field(default_factory=dict)


def landing_day(seconds: np.ndarray, record_id: np.ndarray, late_every: int) -> np.ndarray:
    """The day a record lands in the export: the day it happened, capped at the day before the extraction.

    One record in `late_every` (by id, so no random draw shifts the files) arrives 1 or 2 days late, as
    buffered app events and re-sent invoices do; all rows of one record land together.
    """
    day = np.minimum(np.asarray(seconds, dtype=np.int64), S.LAST_NORMAL) // S.DAY
    late = np.where(record_id % late_every == 0, 1 + record_id // late_every % 2, 0)
    return np.minimum(day + late, S.LAST_NORMAL // S.DAY)


def planted(base: int, frac: float) -> int:
    """A scale-1 count scaled to a block holding `frac` of the real users; at least one."""
    return max(1, round(base * frac))


def uniform_int(rng: np.random.Generator, lo, hi, size: int | None = None) -> np.ndarray:
    """Integer seconds uniformly in [lo, hi] (scalars or arrays)."""
    lo = np.asarray(lo, dtype=np.int64)
    hi = np.maximum(np.asarray(hi, dtype=np.int64), lo)
    shape = np.broadcast(lo, hi).shape if size is None else size
    return lo + np.floor(rng.random(shape) * (hi - lo + 1)).astype(np.int64)


def pick_before(rng: np.random.Generator, sorted_created: np.ndarray, index: np.ndarray, when: np.ndarray):
    """For each time, a random member of `index` (sorted by creation) created by then (else the first)."""
    k = np.searchsorted(sorted_created, when, side="right")
    pos = np.floor(rng.random(len(when)) * np.maximum(k, 1)).astype(np.int64)
    return index[pos]


def take(pool: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """The first n of a shuffled pool, and the rest."""
    n = min(n, len(pool))
    return pool[:n], pool[n:]


class ItemPicker:
    """Item choice constrained to items that already existed, by price band."""

    def __init__(self, catalog: Catalog):
        self.catalog = catalog
        order = np.argsort(catalog.created_at, kind="stable")
        self.created = catalog.created_at[order]
        self.order = order
        free = catalog.is_free[order]
        cents = catalog.price_cents[order]
        lo, hi = S.BAND_UPPER_CENTS
        bands = [(~free) & (cents <= lo), (~free) & (cents > lo) & (cents <= hi), (~free) & (cents > hi)]
        self.band_index = [order[m] for m in bands]
        self.band_created = [self.created[m] for m in bands]
        self.paid_index = order[~free]
        self.paid_created = self.created[~free]
        self.free_index = order[free]
        self.free_created = self.created[free]

    def any(self, rng, when):
        return pick_before(rng, self.created, self.order, when)

    def paid(self, rng, when):
        return pick_before(rng, self.paid_created, self.paid_index, when)

    def by_band(self, rng, band, when):
        out = np.empty(len(when), dtype=np.int64)
        for b in range(3):
            m = band == b
            if m.any():
                out[m] = pick_before(rng, self.band_created[b], self.band_index[b], when[m])
        addon = rng.random(len(when)) < S.FREE_ADDON_RATE
        if addon.any():
            k = np.searchsorted(self.free_created, when[addon], side="right")
            ok = k > 0
            pos = np.floor(rng.random(addon.sum()) * np.maximum(k, 1)).astype(np.int64)
            idx = np.flatnonzero(addon)[ok]
            out[idx] = self.free_index[pos[ok]]
        return out


@dataclass
class Purchases:
    """Invoices and lines of a set of customers (indices refer to the customers drawn)."""

    arch: np.ndarray  # archetype of each customer
    freq: np.ndarray
    inv_cust: np.ndarray
    inv_created: np.ndarray
    inv_paid: np.ndarray
    inv_start: np.ndarray  # first invoice of each customer (invoices are grouped by customer, time-ordered)
    line_inv: np.ndarray
    line_item: np.ndarray  # catalog row


def archetype_weights(age_days: np.ndarray) -> np.ndarray:
    """Per first order (days before the extraction), the weight of each archetype (rows sum to 1)."""
    lo, hi = S.ARRIVAL_RAMP_DAYS[:, 0], S.ARRIVAL_RAMP_DAYS[:, 1]
    ramp = np.clip((np.asarray(age_days, dtype=float)[:, None] - lo) / (hi - lo), 0.0, 1.0)
    ramp[:, S.RECENT_ARCHETYPE] = 1.0 - ramp[:, S.RECENT_ARCHETYPE]
    weights = ramp * S.ARCHETYPE_WEIGHT
    total = weights.sum(axis=1, keepdims=True)
    if (total <= 0).any():
        raise ValueError("spec.ARRIVAL_RAMP_DAYS leaves an age with no archetype: the ramps must overlap")
    return weights / total


def draw_purchases(rng: np.random.Generator, n: int, picker: ItemPicker) -> Purchases:
    """n buyers: when each arrives, what kind of buyer it is, and the invoices its purchase process makes."""
    # First orders arrive like the sign-ups: every month, more in later years.
    span = S.LAST_NORMAL - S.DAY - S.ORDERS_FROM
    first = S.ORDERS_FROM + (span * rng.random(n) ** 0.75).astype(np.int64)
    age = (S.EXTRACTED - first) / S.DAY
    cumulative = np.cumsum(archetype_weights(age), axis=1)
    arch = np.minimum((rng.random(n)[:, None] > cumulative).sum(axis=1), len(S.ARCHETYPES) - 1)

    # The end of the active life: churn at a given age before the extraction, or a dormant buyer's short
    # active span, or the extraction itself.
    end = np.full(n, S.LAST_NORMAL, dtype=np.int64)
    clo, chi = S.CHURN_AGE_DAYS[arch, 0], S.CHURN_AGE_DAYS[arch, 1]
    churns = chi > 0
    churn_age = clo + rng.random(n) * (np.maximum(np.minimum(chi, age - S.CHURN_MIN_LIFE_DAYS), clo) - clo)
    end = np.where(churns, S.EXTRACTED - (churn_age * S.DAY).astype(np.int64), end)
    alo, ahi = S.ACTIVE_DAYS[arch, 0], S.ACTIVE_DAYS[arch, 1]
    active = alo + rng.random(n) * (ahi - alo)
    dormant_end = np.minimum(
        first + (active * S.DAY).astype(np.int64), S.EXTRACTED - S.DORMANT_AGE_DAYS * S.DAY
    )
    end = np.where(ahi > 0, dormant_end, end)
    end = np.maximum(end, first)
    # Orders after the first: a Poisson process at the buyer's rate over its active life, so the count is
    # Poisson and, given the count, the times are uniform over the life.
    rlo, rhi = S.RATE_PER_YEAR[arch, 0], S.RATE_PER_YEAR[arch, 1]
    rate = rlo + rng.random(n) * (rhi - rlo)
    freq = 1 + rng.poisson(rate * (end - first) / (365 * S.DAY))

    inv_cust = np.repeat(np.arange(n), freq)
    inv_start = np.concatenate([[0], np.cumsum(freq)[:-1]]).astype(np.int64)
    j = np.arange(len(inv_cust)) - inv_start[inv_cust]
    u = rng.random(len(inv_cust))
    u[j == 0] = 0.0
    created = first[inv_cust] + (u * (end - first)[inv_cust]).astype(np.int64)
    created = created[np.lexsort((created, inv_cust))]
    delay = np.minimum(np.exp(rng.normal(np.log(40 * 60), 1.3, len(created))), 3 * S.DAY).astype(np.int64)
    paid = np.minimum(created + 60 + delay, S.LAST_NORMAL)

    inv_arch = arch[inv_cust]
    llo, lhi = S.LINES_PER_INVOICE[inv_arch, 0], S.LINES_PER_INVOICE[inv_arch, 1]
    nlines = llo + np.floor(rng.random(len(created)) * (lhi - llo + 1)).astype(np.int64)
    line_inv = np.repeat(np.arange(len(created)), nlines)
    mix = np.cumsum(S.BAND_MIX[inv_arch[line_inv]], axis=1)
    ub = rng.random(len(line_inv))
    band = np.minimum((ub > mix[:, 0]).astype(np.int64) + (ub > mix[:, 1]), 2)
    line_item = picker.by_band(rng, band, created[line_inv])
    return Purchases(arch, freq, inv_cust, created, paid, inv_start, line_inv, line_item)


def generate_block(
    rng: np.random.Generator,
    n_users: int,
    first_block: bool,
    catalog: Catalog,
    picker: ItemPicker,
    ids: Counters,
) -> Block:
    """Users `ids.user_id ..` with their orders and events; advances the id counters."""
    frac = n_users / S.REAL_USERS
    U = n_users
    uid = ids.user_id + np.arange(U, dtype=np.int64)
    ids.user_id += U
    # More sign-ups in later years: the shop grows.
    signup_span = S.LAST_NORMAL - 2 * S.DAY - S.USERS_FROM
    created = S.USERS_FROM + (signup_span * rng.random(U) ** 0.75).astype(np.int64)
    deleted_at = np.full(U, -1, dtype=np.int64)
    merged_at = np.full(U, -1, dtype=np.int64)
    parent = np.full(U, -1, dtype=np.int64)  # user index within the block
    user_style = np.zeros(U, dtype=np.int64)
    user_class = np.full(U, U_NONE, dtype=np.int64)
    arch_of_user = np.full(U, -1, dtype=np.int64)

    # ---- who is who -------------------------------------------------------------------------------------
    n_buyers = max(5, round(U * S.BUYER_RATE))
    perm = rng.permutation(U)
    buyers, nonbuyers = perm[:n_buyers], perm[n_buyers:]
    cycle, nonbuyers = take(nonbuyers, 2 if first_block else 0)
    future_users, nonbuyers = take(nonbuyers, planted(S.USERS_PLANT["future_dated"], frac))
    n_roots = planted(S.ORDERS_PLANT["merge_roots_with_lines"], frac)
    n_merged = max(planted(S.USERS_PLANT["merged_user"], frac), n_roots + 3)
    merged_acc, nonbuyers = take(nonbuyers, n_merged)
    n_del = planted(S.USERS_PLANT["deleted_user"], frac)
    n_del_buyers = min(planted(S.ORDERS_PLANT["deleted_buyers"], frac), n_del)
    deleted_nb, _ = take(nonbuyers, n_del - n_del_buyers)

    n_ghost = planted(S.ORDERS_PLANT["ghost_customers"], frac)
    ghost_uid = ids.ghost_id + np.arange(n_ghost, dtype=np.int64)
    ids.ghost_id += n_ghost
    buy = draw_purchases(rng, n_buyers + n_ghost, picker)
    arch, ghost_arch = buy.arch[:n_buyers], buy.arch[n_buyers:]
    n_cust = n_buyers + n_ghost
    is_ghost_cust = np.arange(n_cust) >= n_buyers
    cust_user = np.concatenate([buyers, np.full(n_ghost, -1)])
    cust_uid = np.concatenate([uid[buyers], ghost_uid])
    arch_of_user[buyers] = arch

    n_inv = len(buy.inv_created)
    inv_kind = np.where(is_ghost_cust[buy.inv_cust], INV_GHOST, INV_PLAIN)
    inv_user = cust_uid[buy.inv_cust].copy()  # the user id written on the invoice's lines
    inv_user_idx = cust_user[buy.inv_cust].copy()
    first_inv = buy.inv_created[buy.inv_start]
    cust_created = first_inv - uniform_int(rng, S.HOUR, 90 * S.DAY, n_cust)
    cust_created = np.maximum(cust_created, np.minimum(S.USERS_FROM, first_inv - S.HOUR))
    created[buyers] = cust_created[:n_buyers]

    # ---- merges with order lines: a root's earliest invoices belong to the merged account(s) -------------
    buyer_order = rng.permutation(n_buyers)
    roots = buyer_order[buy.freq[buyer_order] >= 2][:n_roots]
    chain_root = roots[buy.freq[roots] >= 3][:1]  # A -> B -> root, A and B both with order lines
    acc_iter = iter(merged_acc)
    n_with_lines = 0
    for r in roots:
        start, f = buy.inv_start[r], buy.freq[r]
        if r in chain_root:
            spans = [(start, start + 1), (start + 1, start + 2)]
        else:
            spans = [(start, start + int(rng.integers(1, f)))]
        accounts = [next(acc_iter) for _ in spans]
        for k, ((a, b), acc) in enumerate(zip(spans, accounts, strict=True)):
            inv_kind[a:b] = INV_MERGED
            inv_user[a:b] = uid[acc]
            inv_user_idx[a:b] = acc
            created[acc] = buy.inv_created[a] - int(rng.integers(S.HOUR, 60 * S.DAY))
            created[acc] = max(created[acc], min(S.USERS_FROM, buy.inv_created[a] - S.HOUR))
            # Merged after its last payment, before the next invoice (which is written with the parent's id).
            nxt, last_paid = buy.inv_created[b], buy.inv_paid[b - 1]
            merged_at[acc] = last_paid + 1 + int(rng.random() * max(nxt - last_paid - 1, 0))
            parent[acc] = accounts[k + 1] if k + 1 < len(accounts) else buyers[r]
            user_class[acc] = U_MERGED
            n_with_lines += 1
        # The B of a chain must exist before A is merged into it.
        created[accounts[-1]] = min(created[a] for a in accounts)
    rest_merged = merged_acc[n_with_lines:]
    chains_left = planted(S.USERS_PLANT["merge_chains"], frac) - len(chain_root)
    n_pairs = max(0, min(chains_left, len(rest_merged) // 2))

    # Surviving, live accounts: the only possible merge parents, test subjects and viewed profiles.
    del_pool = buyer_order[~np.isin(buyer_order, roots)]
    deleted_buyers = del_pool[:n_del_buyers]
    live = np.ones(U, dtype=bool)
    live[np.concatenate([cycle, future_users, merged_acc, deleted_nb, buyers[deleted_buyers]])] = False
    live_idx = np.flatnonzero(live)

    # Merges without order lines; the first pairs form chains A -> B -> C.
    for k, acc in enumerate(rest_merged):
        user_class[acc] = U_MERGED
        if k < 2 * n_pairs and k % 2 == 0:
            continue  # the A of a chain: placed once its B is
        p = live_idx[int(rng.integers(len(live_idx)))]
        parent[acc] = p
        base = max(created[acc], created[p])
        merged_at[acc] = base + int((0.05 + 0.9 * rng.random()) * max(S.LAST_NORMAL - S.HOUR - base, 2))
    for c in range(n_pairs):
        a, b = rest_merged[2 * c], rest_merged[2 * c + 1]
        parent[a] = b
        created[a] = min(created[a], created[b])
        merged_at[a] = created[b] + int((0.1 + 0.8 * rng.random()) * max(merged_at[b] - created[b], 2))
    n_chains = len(chain_root) + n_pairs

    # The merge cycle X -> Y -> X (users with no orders or events).
    if len(cycle):
        x, y = cycle
        parent[x], parent[y] = y, x
        base = max(created[x], created[y])
        merged_at[x] = base + int(0.3 * (S.LAST_NORMAL - base))
        merged_at[y] = base + int(0.6 * (S.LAST_NORMAL - base))
        user_class[cycle] = U_CYCLE

    # Deleted accounts: a buyer is deleted after its last payment.
    del_buyer_users = buyers[deleted_buyers]
    last_paid = buy.inv_paid[buy.inv_start + buy.freq - 1][deleted_buyers]
    deleted_at[del_buyer_users] = last_paid + (
        rng.random(len(last_paid)) * (S.LAST_NORMAL - last_paid)
    ).astype(np.int64)
    life = S.LAST_NORMAL - created[deleted_nb]
    deleted_at[deleted_nb] = created[deleted_nb] + (rng.random(len(deleted_nb)) * life).astype(np.int64)
    user_class[np.concatenate([deleted_nb, del_buyer_users])] = U_DELETED
    is_deleted_cust = np.zeros(n_cust, dtype=bool)
    is_deleted_cust[deleted_buyers] = True
    inv_kind[(inv_kind == INV_PLAIN) & is_deleted_cust[buy.inv_cust]] = INV_DELETED

    # Future-dated sign-ups.
    created[future_users] = S.FUTURE_FROM + (rng.random(len(future_users)) * S.FUTURE_SPAN).astype(np.int64)
    user_class[future_users] = U_FUTURE

    # Timestamp quirks on the sign-up of otherwise clean, live users.
    quirk_pool = rng.permutation(live_idx)
    odd_users, quirk_pool = take(quirk_pool, planted(S.USERS_PLANT["odd_timestamp_format"], frac))
    garbage_users, _ = take(quirk_pool, planted(S.USERS_PLANT["unparseable_timestamp"], frac))
    user_style[odd_users] = fmt.TS_ODD
    user_style[garbage_users] = fmt.TS_GARBAGE
    user_class[odd_users] = U_ODD
    user_class[garbage_users] = U_GARBAGE

    # ---- experiments -------------------------------------------------------------------------------------
    inv_protected = np.zeros(n_inv, dtype=bool)
    last_inv_any = np.full(U, -1, dtype=np.int64)
    has_user = inv_user_idx >= 0
    np.maximum.at(last_inv_any, inv_user_idx[has_user], buy.inv_created[has_user])
    tests_ev: dict[str, list] = {"user_idx": [], "time": [], "test_id": [], "arm": []}
    exp_counts = {}
    capped_tests = 0
    plain_inv = np.flatnonzero(inv_kind == INV_PLAIN)
    for test_id, start_s, end_s, p_c, p_t in S.EXPERIMENTS:
        start, end = S.epoch(start_s), S.epoch(end_s) + S.DAY - 1
        n_test = round(S.REAL_EVENTS["test_assignment"] / len(S.EXPERIMENTS) * frac)
        n_treat = int(rng.binomial(n_test, 0.5))
        n_ctrl = n_test - n_treat
        when = buy.inv_created[plain_inv]
        cand = plain_inv[(when >= start + 2 * S.DAY) & (when <= end)]
        cand = cand[~inv_protected[cand]]
        _, first_pos = np.unique(inv_user_idx[cand], return_index=True)  # the first such invoice per user
        conv_inv = rng.permutation(cand[first_pos])
        # Converters per arm drawn at the planted rate, so a test without effect still shows sampling noise.
        k_t, k_c = int(rng.binomial(n_treat, p_t)), int(rng.binomial(n_ctrl, p_c))
        if k_t + k_c > len(conv_inv):  # too few buyers in the window: lower both rates alike
            capped_tests += 1
            shrink = len(conv_inv) / (k_t + k_c)
            k_t, k_c = int(k_t * shrink), int(k_c * shrink)
        conv_inv = conv_inv[: k_t + k_c]
        inv_protected[conv_inv] = True
        conv_user = inv_user_idx[conv_inv]
        lag_lo, lag_hi = (int(d * S.DAY) for d in S.CONVERSION_LAG_DAYS)
        t_conv = buy.inv_created[conv_inv] - uniform_int(rng, lag_lo, lag_hi, len(conv_inv))
        t_conv = np.maximum(np.maximum(t_conv, start), created[conv_user] + 1)
        never = live & (last_inv_any < start) & (created < end - S.DAY)
        non_pool = rng.permutation(np.flatnonzero(never))
        n_non_t = min(n_treat - k_t, len(non_pool))
        n_non_c = min(n_ctrl - k_c, len(non_pool) - n_non_t)
        non_user = non_pool[: n_non_t + n_non_c]
        t_non = uniform_int(rng, np.maximum(start, created[non_user] + 60), end)
        tests_ev["user_idx"].append(
            np.concatenate([conv_user[:k_t], non_user[:n_non_t], conv_user[k_t:], non_user[n_non_t:]])
        )
        tests_ev["time"].append(
            np.concatenate([t_conv[:k_t], t_non[:n_non_t], t_conv[k_t:], t_non[n_non_t:]])
        )
        tests_ev["test_id"].append(np.full(k_t + n_non_t + k_c + n_non_c, test_id))
        tests_ev["arm"].append(np.repeat([1, 0], [k_t + n_non_t, k_c + n_non_c]))
        exp_counts[test_id] = {
            "treatment": {"assigned": k_t + n_non_t, "converted": k_t},
            "control": {"assigned": k_c + n_non_c, "converted": k_c},
        }

    # ---- order anomalies -------------------------------------------------------------------------------
    line_inv, line_item = buy.line_inv, buy.line_item
    inv_created, inv_paid = buy.inv_created, buy.inv_paid.copy()
    line_class = np.full(len(line_inv), CLEAN, dtype=np.int64)
    line_class[inv_kind[line_inv] == INV_MERGED] = MERGED
    line_class[inv_kind[line_inv] == INV_DELETED] = DELETED
    line_class[inv_kind[line_inv] == INV_GHOST] = UNKNOWN_USER
    eligible_inv = rng.permutation(np.flatnonzero((inv_kind == INV_PLAIN) & ~inv_protected))
    pbc_inv, eligible_rest = take(eligible_inv, planted(S.ORDERS_PLANT["paid_before_created_invoices"], frac))
    inv_paid[pbc_inv] = inv_created[pbc_inv] - uniform_int(rng, 10 * 60, 2 * S.DAY, len(pbc_inv))
    line_class[np.isin(line_inv, pbc_inv)] = PAID_BEFORE
    line_ok = np.isin(line_inv, eligible_rest) & (line_class == CLEAN)
    cand = rng.permutation(np.flatnonzero(line_ok))
    odd_lines, cand = take(cand, planted(S.ORDERS_PLANT["odd_timestamp_format"], frac))
    priced = cand[catalog.price_cents[line_item[cand]] > 0]  # noise on 0.0 would be a denormal, not noise
    noise_lines, _ = take(priced, planted(S.ORDERS_PLANT["price_float_noise"], frac))
    cand = cand[~np.isin(cand, noise_lines)]
    uitem_lines, cand = take(cand, planted(S.ORDERS_PLANT["unknown_item"], frac))
    dup_lines, cand = take(cand, planted(S.ORDERS_PLANT["duplicate_originals"], frac))
    line_class[odd_lines] = ODD_TS
    line_class[noise_lines] = NOISE
    line_class[uitem_lines] = UNKNOWN_ITEM
    odd_which = rng.integers(0, 3, len(line_inv))  # 0 created_at, 1 paid_at, 2 both
    noise_sign = np.where(rng.random(len(line_inv)) < 0.7, 1, -1)
    dup_copies = np.where(rng.random(len(dup_lines)) < 0.1, 2, 1)
    line_item_id = catalog.item_id[line_item].copy()
    # A discontinued item: the name and price stay, the id is unknown to the catalog.
    line_item_id[uitem_lines] = UNKNOWN_ITEM_ID_BASE + rng.integers(1, 900, len(uitem_lines))

    # Extra lines in clean invoices: null price, negative price, unparseable timestamp.
    n_null = planted(S.ORDERS_PLANT["null_price"], frac)
    n_neg = planted(S.ORDERS_PLANT["negative_price"], frac)
    n_garb = planted(S.ORDERS_PLANT["unparseable_timestamp"], frac)
    n_add = n_null + n_neg + n_garb
    host = eligible_rest[rng.integers(0, len(eligible_rest), n_add)]
    add_class = np.repeat([NULL_PRICE, NEG_PRICE, GARBAGE_TS], [n_null, n_neg, n_garb]).astype(np.int64)
    add_item = picker.paid(rng, inv_created[host])

    # Future-dated invoices of clean customers.
    n_fut = planted(S.ORDERS_PLANT["future_invoices"], frac)
    fut_cust = buy.inv_cust[eligible_rest[rng.integers(0, len(eligible_rest), n_fut)]]
    fut_created = S.FUTURE_FROM + (rng.random(n_fut) * S.FUTURE_SPAN).astype(np.int64)
    fut_paid = fut_created + uniform_int(rng, 60, S.DAY, n_fut)
    fut_nlines = rng.integers(1, 3, n_fut)

    # ---- assemble invoices and lines ----------------------------------------------------------------------
    all_inv_created = np.concatenate([inv_created, fut_created])
    all_inv_paid = np.concatenate([inv_paid, fut_paid])
    all_inv_user = np.concatenate([inv_user, cust_uid[fut_cust]])
    all_inv_user_idx = np.concatenate([inv_user_idx, cust_user[fut_cust]])
    inv_order = np.lexsort((np.arange(len(all_inv_created)), all_inv_created))
    inv_rank = np.empty(len(inv_order), dtype=np.int64)
    inv_rank[inv_order] = np.arange(len(inv_order))
    invoice_id = ids.invoice_id + inv_rank  # invoice ids follow creation time
    ids.invoice_id += len(inv_order)

    fut_line_inv = n_inv + np.repeat(np.arange(n_fut), fut_nlines)
    fut_item = picker.paid(rng, np.full(len(fut_line_inv), S.LAST_NORMAL))
    l_inv = np.concatenate([line_inv, host, fut_line_inv])
    l_item = np.concatenate([line_item, add_item, fut_item])
    l_item_id = np.concatenate([line_item_id, catalog.item_id[add_item], catalog.item_id[fut_item]])
    l_class = np.concatenate([line_class, add_class, np.full(len(fut_line_inv), FUTURE)])
    l_which = np.concatenate([odd_which, rng.integers(0, 2, n_add + len(fut_line_inv))])
    l_noise = np.zeros(len(l_inv), dtype=np.int64)
    l_noise[noise_lines] = noise_sign[noise_lines]
    # Line ids: invoice order, then position (extra lines come after the invoice's own).
    l_order = np.lexsort((np.arange(len(l_inv)), inv_rank[l_inv]))
    l_id = np.empty(len(l_inv), dtype=np.int64)
    l_id[l_order] = ids.line_id + np.arange(len(l_inv))
    ids.line_id += len(l_inv)

    cents = catalog.price_cents[l_item]
    price_txt = fmt.price(cents, l_noise)
    price_txt[l_class == NULL_PRICE] = fmt.NULL
    neg = l_class == NEG_PRICE
    price_txt[neg] = fmt.price(-np.maximum(cents[neg], 100))
    c_style = np.zeros(len(l_inv), dtype=np.int64)
    p_style = np.zeros(len(l_inv), dtype=np.int64)
    odd = l_class == ODD_TS
    c_style[odd & (l_which != 1)] = fmt.TS_ODD
    p_style[odd & (l_which != 0)] = fmt.TS_ODD
    garb = l_class == GARBAGE_TS
    c_style[garb & (l_which == 0)] = fmt.TS_GARBAGE
    p_style[garb & (l_which != 0)] = fmt.TS_GARBAGE
    garbage_pick = rng.integers(0, len(fmt.GARBAGE), len(l_inv))
    orders = {
        "invoice_id": fmt.float_id(invoice_id[l_inv]),
        "line_item_id": fmt.float_id(l_id),
        "user_id": fmt.float_id(all_inv_user[l_inv]),
        "item_id": fmt.float_id(l_item_id),
        "item_name": catalog.name[l_item],
        "item_category": catalog.category[l_item],
        "price": price_txt,
        "created_at": fmt.ts(all_inv_created[l_inv], c_style, garbage_pick),
        "paid_at": fmt.ts(all_inv_paid[l_inv], p_style, garbage_pick),
    }
    # Duplicates: each extra copy sits right after its original.
    rep = np.ones(len(l_inv), dtype=np.int64)
    rep[dup_lines] += dup_copies
    row_order = np.repeat(l_order, rep[l_order])
    orders = {k: v[row_order] for k, v in orders.items()}
    orders_landed = landing_day(all_inv_created[l_inv], invoice_id[l_inv], S.LATE_INVOICE_EVERY)[row_order]
    order_counts = {name: int((l_class == c).sum()) for c, name in ORDER_CLASS.items() if c != DUPLICATE}
    order_counts["duplicate_row"] = int(dup_copies.sum())
    users_with_lines = len(np.unique(all_inv_user_idx[all_inv_user_idx >= 0]))

    # ---- events ------------------------------------------------------------------------------------------
    end_of_life = np.full(U, S.LAST_NORMAL, dtype=np.int64)
    end_of_life = np.where(merged_at >= 0, merged_at, end_of_life)
    end_of_life = np.where(deleted_at >= 0, deleted_at, end_of_life)
    active = np.ones(U, dtype=bool)
    active[np.concatenate([cycle, future_users])] = False
    active &= end_of_life > created + 120

    # Funnel: every clean line of a known user is preceded by a view of its item.
    fl = np.flatnonzero((line_class == CLEAN) | (line_class == MERGED) | (line_class == DELETED))
    f_user = inv_user_idx[line_inv[fl]]
    f_time = inv_created[line_inv[fl]] - uniform_int(rng, 60, 2 * S.DAY, len(fl))
    f_time = np.maximum(f_time, created[f_user] + 1)
    f_item = catalog.item_id[line_item[fl]]

    # Browsing: the rest of the views, buyers more active than others.
    n_browse = max(round(S.REAL_EVENTS["view_item"] * frac) - len(fl), 0)
    weight = np.where(arch_of_user >= 0, 4.0, 1.0) * active
    b_user = rng.choice(U, size=n_browse, p=weight / weight.sum())
    b_life = end_of_life[b_user] - created[b_user] - 60
    b_time = created[b_user] + 60 + (rng.random(n_browse) * b_life).astype(np.int64)
    b_item = catalog.item_id[picker.any(rng, b_time)]

    n_prof = round(S.REAL_EVENTS["view_user_profile"] * frac)
    p_user = rng.choice(U, size=n_prof, p=weight / weight.sum())
    p_life = end_of_life[p_user] - created[p_user] - 60
    p_time = created[p_user] + 60 + (rng.random(n_prof) * p_life).astype(np.int64)
    p_viewed = live_idx[rng.integers(0, len(live_idx), n_prof)]
    same = p_viewed == p_user
    p_viewed[same] = live_idx[(np.searchsorted(live_idx, p_viewed[same]) + 1) % len(live_idx)]

    t_user = np.concatenate(tests_ev["user_idx"]).astype(np.int64)
    t_time = np.concatenate(tests_ev["time"]).astype(np.int64)
    t_test = np.concatenate(tests_ev["test_id"]).astype(np.int64)
    t_arm = np.concatenate(tests_ev["arm"]).astype(np.int64)

    n_f, n_b, n_p, n_t = len(fl), n_browse, n_prof, len(t_user)
    e_kind = np.repeat([VIEW, PROFILE, TEST], [n_f + n_b, n_p, n_t])
    e_user = uid[np.concatenate([f_user, b_user, p_user, t_user])]
    e_time = np.concatenate([f_time, b_time, p_time, t_time])
    e_item = np.concatenate([f_item, b_item, np.zeros(n_p + n_t, np.int64)])
    e_viewed = np.concatenate([np.zeros(n_f + n_b, np.int64), uid[p_viewed], np.zeros(n_t, np.int64)])
    e_test = np.concatenate([np.zeros(n_f + n_b + n_p, np.int64), t_test])
    e_arm = np.concatenate([np.zeros(n_f + n_b + n_p, np.int64), t_arm])
    n_ev = len(e_kind)
    e_class = np.full(n_ev, EV_CLEAN, dtype=np.int64)
    # Anomalies only on browsing and profile views, so the funnel and the tests stay as planted.
    cand = rng.permutation(np.arange(n_f, n_f + n_b + n_p))
    for cls in (EV_UNKNOWN_ITEM, EV_UNKNOWN_USER, EV_GARBAGE, EV_FUTURE, EV_ODD):
        pool = cand[e_kind[cand] == VIEW] if cls == EV_UNKNOWN_ITEM else cand
        chosen, _ = take(pool, planted(S.EVENTS_PLANT[EVENT_CLASS[cls]], frac))
        e_class[chosen] = cls
        cand = cand[~np.isin(cand, chosen)]
    uu = np.flatnonzero(e_class == EV_UNKNOWN_USER)
    e_user[uu] = ids.event_ghost_id + rng.integers(0, 50 * max(1, len(uu)), len(uu))
    ids.event_ghost_id += 50 * max(1, len(uu))
    ui = np.flatnonzero(e_class == EV_UNKNOWN_ITEM)
    e_item[ui] = UNKNOWN_ITEM_ID_BASE + rng.integers(1, 900, len(ui))
    fut = np.flatnonzero(e_class == EV_FUTURE)
    e_time[fut] = S.FUTURE_FROM + (rng.random(len(fut)) * S.FUTURE_SPAN).astype(np.int64)
    e_style = np.where(e_class == EV_ODD, fmt.TS_ODD, np.where(e_class == EV_GARBAGE, fmt.TS_GARBAGE, 0))

    ev_order = np.lexsort((np.arange(n_ev), e_time))
    event_id = np.empty(n_ev, dtype=np.int64)
    event_id[ev_order] = ids.event_id + np.arange(n_ev)  # event ids follow time
    ids.event_id += n_ev
    e_time_txt = fmt.ts(e_time, e_style, rng.integers(0, len(fmt.GARBAGE), n_ev))
    platform_p = S.PLATFORM_WEIGHT / S.PLATFORM_WEIGHT.sum()
    e_platform = np.array(S.PLATFORMS, dtype=object)[rng.choice(len(S.PLATFORMS), size=n_ev, p=platform_p)]
    e_platform[e_kind == TEST] = "server"
    referrer_p = S.REFERRER_WEIGHT / S.REFERRER_WEIGHT.sum()
    referrer = np.array(S.REFERRERS, dtype=object)[rng.choice(len(S.REFERRERS), size=n_ev, p=referrer_p)]

    # EAV: one row per (event, parameter); parameter rows of an event are adjacent, in a fixed order.
    n_params = np.where(e_kind == PROFILE, 1, 2)
    per_event = n_params[ev_order]
    row_ev = np.repeat(ev_order, per_event)
    row_k = np.arange(len(row_ev)) - np.repeat(np.cumsum(per_event) - per_event, per_event)
    kind = e_kind[row_ev]
    pname = np.empty(len(row_ev), dtype=object)
    pval = np.empty(len(row_ev), dtype=object)
    m = (kind == VIEW) & (row_k == 0)
    pname[m], pval[m] = "item_id", fmt.int_str(e_item[row_ev[m]])
    m = (kind == VIEW) & (row_k == 1)
    pname[m], pval[m] = "referrer", referrer[row_ev[m]]
    m = (kind == TEST) & (row_k == 0)
    pname[m], pval[m] = "test_id", fmt.int_str(e_test[row_ev[m]])
    m = (kind == TEST) & (row_k == 1)
    pname[m], pval[m] = "test_assignment", fmt.int_str(e_arm[row_ev[m]])
    m = kind == PROFILE
    pname[m], pval[m] = "viewed_user_id", fmt.int_str(e_viewed[row_ev[m]])
    # Duplicate parameter rows: extra copies of rows of clean events, right after the original.
    clean_rows = np.flatnonzero(e_class[row_ev] == EV_CLEAN)
    n_dup = min(planted(S.EVENTS_PLANT["duplicate_parameter"], frac), len(clean_rows))
    dup_rows = rng.choice(clean_rows, size=n_dup, replace=False)
    rep = np.ones(len(row_ev), dtype=np.int64)
    rep[dup_rows] += 1
    take_rows = np.repeat(np.arange(len(row_ev)), rep)
    events = {
        "event_id": fmt.int_str(event_id[row_ev]),
        "event_time": e_time_txt[row_ev],
        "user_id": fmt.float_id(e_user[row_ev]),
        "event_name": EVENT_NAMES[kind],
        "platform": e_platform[row_ev],
        "parameter_name": pname,
        "parameter_value": pval,
    }
    events = {k: v[take_rows] for k, v in events.items()}
    events_landed = landing_day(e_time, event_id, S.LATE_EVENT_EVERY)[row_ev][take_rows]
    event_counts = {key: int((e_class == c).sum()) for c, key in EVENT_CLASS.items()}
    event_counts["duplicate_parameter"] = n_dup

    # ---- users file ------------------------------------------------------------------------------------
    first = FIRST_NAMES[rng.integers(0, len(FIRST_NAMES), U)]
    last = LAST_NAMES[rng.integers(0, len(LAST_NAMES), U)]
    email = np.char.add(np.char.add(np.char.add(first, "."), last), uid.astype(str))
    email = np.char.add(np.char.add(email, "@"), EMAIL_DOMAINS[rng.integers(0, len(EMAIL_DOMAINS), U)])
    users = {
        "created_at": fmt.ts(created, user_style, rng.integers(0, len(fmt.GARBAGE), U)),
        "deleted_at": fmt.ts(np.maximum(deleted_at, 0), np.where(deleted_at >= 0, 0, fmt.TS_NULL)),
        "email_address": email.astype(object),
        "first_name": np.char.capitalize(first).astype(object),
        "id": fmt.int_str(uid),
        "last_name": np.char.capitalize(last).astype(object),
        "merged_at": fmt.ts(np.maximum(merged_at, 0), np.where(merged_at >= 0, 0, fmt.TS_NULL)),
        "parent_user_id": fmt.float_id(uid[np.maximum(parent, 0)], null=parent < 0),
    }
    anomalies = {f"orders.{k}": v for k, v in order_counts.items()}
    anomalies.update({f"users.{k}": int((user_class == c).sum()) for c, k in USER_CLASS.items()})
    anomalies.update({f"events.{k}": v for k, v in event_counts.items()})
    facts = {
        "users.without_orders": U - users_with_lines,
        "users.merge_chains": n_chains,
        "orders.invoices": len(inv_order),
        "customers.buyers": n_buyers,
        "customers.unknown_buyers": n_ghost,
        "experiments.capped_test_blocks": capped_tests,  # > 0: a test got fewer converters than planted
    }
    label = np.array([*S.ARCHETYPES, S.NON_BUYER], dtype=object)
    return Block(
        users=users,
        orders=orders,
        events=events,
        archetype_user_id=uid,
        archetype=label[np.where(arch_of_user >= 0, arch_of_user, len(S.ARCHETYPES))],
        ghost_user_id=ghost_uid,
        ghost_archetype=label[ghost_arch],
        orders_landed=orders_landed,
        events_landed=events_landed,
        anomalies=anomalies,
        facts=facts,
        experiments=exp_counts,
    )
