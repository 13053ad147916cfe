"""The item catalog: ~2.2k items shaped like the case study's real `items.csv` (generated, never copied).

Measured shape of the real catalog that this reproduces: 10 categories, 13 adjectives, 10 modifiers, an empty
adjective on ~12% and an empty modifier on ~35% of rows, names built as `adjective category modifier` and NOT
unique (~1,011 distinct names for 2,198 ids), ids scattered over 0..3,997, every `how-to-manual` free (0.0),
prices 0..2,250 with a category-dependent level, created 2013-02-22 .. 2014-02-25.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

CATEGORIES = (
    "apparatus",
    "contraption",
    "device",
    "dongle",
    "gadget",
    "instrument",
    "mechanism",
    "module",
    "tool",
    "widget",
)
# Typical price level of each category (the real catalog's medians differ by two orders of magnitude).
CATEGORY_PRICE = (270.0, 250.0, 45.0, 30.0, 89.0, 44.0, 13.5, 100.0, 25.0, 2.8)
ADJECTIVES = (
    "aerodynamic",
    "analog",
    "digital",
    "extra-strength",
    "fuzzy",
    "glossy",
    "industrial-strength",
    "matte",
    "miniature",
    "organic",
    "prize-winning",
    "rechargable",
    "reflective",
)
ADJECTIVE_FACTOR = (1.0, 0.9, 1.1, 1.3, 0.8, 0.9, 1.8, 0.9, 0.6, 1.1, 1.0, 1.0, 1.1)
MODIFIERS = (
    "carrying_case",
    "charger",
    "cleaner",
    "how-to-manual",
    "opener",
    "refill",
    "storage_unit",
    "warmer",
    "wrapper",
)
# Nine modifiers plus the empty one make the real ten modifier values; the manual is the free add-on.
MODIFIER_FACTOR = (0.6, 0.3, 0.6, 0.0, 0.75, 0.7, 2.5, 1.1, 0.4)
FREE_MODIFIER = "how-to-manual"
PRICE_STEPS = (0.5, 0.6, 0.75, 0.8, 1.0, 1.0, 1.1, 1.2, 1.25, 1.5, 2.0, 2.5)

N_ITEMS = 2_198
ID_SPACE = 3_998
DISTINCT_NAMES = 1_011
MAX_PRICE_CENTS = 225_000
CREATED_FIRST = np.datetime64("2013-02-22T14:29:32", "s").astype(np.int64)
CREATED_LAST = np.datetime64("2014-02-25T23:57:08", "s").astype(np.int64)
# Unknown item ids (planted anomalies) are drawn above this, so they never collide with catalog ids.
UNKNOWN_ITEM_ID_BASE = 9_000


@dataclass(frozen=True)
class Catalog:
    """Columns of the catalog, one array each, in file order."""

    item_id: np.ndarray  # int64
    adjective: np.ndarray  # str ('' = none)
    category: np.ndarray  # str
    modifier: np.ndarray  # str ('' = none)
    name: np.ndarray  # str
    price_cents: np.ndarray  # int64
    created_at: np.ndarray  # int64 epoch seconds

    @property
    def size(self) -> int:
        return len(self.item_id)

    @property
    def is_free(self) -> np.ndarray:
        return self.modifier == FREE_MODIFIER

    def duplicate_name_rows(self) -> int:
        """Rows whose name at least one other item shares."""
        _, inverse, counts = np.unique(self.name, return_inverse=True, return_counts=True)
        return int((counts[inverse] > 1).sum())


def build_catalog(rng: np.random.Generator) -> Catalog:
    """Draw the catalog: a pool of ~1,011 distinct names, every name used at least once, the rest repeated."""
    n_adj, n_mod = len(ADJECTIVES), len(MODIFIERS)
    # Name combinations (adjective index or -1, category, modifier index or -1), weighted so that the empty
    # adjective/modifier shares come out like the real catalog's.
    adj = np.arange(-1, n_adj)
    mod = np.arange(-1, n_mod)
    grid = np.array(np.meshgrid(adj, np.arange(len(CATEGORIES)), mod, indexing="ij")).reshape(3, -1).T
    weight = np.where(grid[:, 0] < 0, 1.8, 1.0) * np.where(grid[:, 2] < 0, 5.5, 1.0)
    pool = rng.choice(len(grid), size=DISTINCT_NAMES, replace=False, p=weight / weight.sum())
    # Bare names (no adjective) repeat most, like `apparatus` x13 in the real file.
    repeat_weight = weight[pool] * rng.gamma(0.6, 1.0, size=DISTINCT_NAMES)
    extra = rng.choice(DISTINCT_NAMES, size=N_ITEMS - DISTINCT_NAMES, p=repeat_weight / repeat_weight.sum())
    combo = grid[np.concatenate([pool, pool[extra]])]
    combo = combo[rng.permutation(N_ITEMS)]
    a_idx, c_idx, m_idx = combo[:, 0], combo[:, 1], combo[:, 2]

    adjective = np.where(a_idx >= 0, np.array(ADJECTIVES)[np.maximum(a_idx, 0)], "")
    category = np.array(CATEGORIES)[c_idx]
    modifier = np.where(m_idx >= 0, np.array(MODIFIERS)[np.maximum(m_idx, 0)], "")
    parts = np.char.add(np.char.add(adjective, np.where(a_idx >= 0, " ", "")), category)
    name = np.char.add(np.char.add(parts, np.where(m_idx >= 0, " ", "")), modifier)

    price = np.array(CATEGORY_PRICE)[c_idx] * rng.choice(PRICE_STEPS, size=N_ITEMS)
    price *= np.where(a_idx >= 0, np.array(ADJECTIVE_FACTOR)[np.maximum(a_idx, 0)], 1.0)
    price *= np.where(m_idx >= 0, np.array(MODIFIER_FACTOR)[np.maximum(m_idx, 0)], 1.0)
    price_cents = np.minimum(np.round(price * 100).astype(np.int64), MAX_PRICE_CENTS)
    price_cents[(modifier == "") & (price_cents == 0)] = 1
    # The real catalog's most expensive item costs exactly 2,250.00.
    top = int(np.argmax(np.where(modifier == FREE_MODIFIER, -1, price_cents)))
    price_cents[top] = MAX_PRICE_CENTS

    item_id = np.sort(rng.choice(ID_SPACE, size=N_ITEMS, replace=False))[rng.permutation(N_ITEMS)]
    created_at = rng.integers(CREATED_FIRST, CREATED_LAST + 1, size=N_ITEMS)
    created_at[rng.choice(N_ITEMS, size=2, replace=False)] = (CREATED_FIRST, CREATED_LAST)
    return Catalog(
        item_id=item_id.astype(np.int64),
        adjective=adjective.astype(object),
        category=category.astype(object),
        modifier=modifier.astype(object),
        name=name.astype(object),
        price_cents=price_cents,
        created_at=created_at.astype(np.int64),
    )
