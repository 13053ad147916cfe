"""Calibration of the generator: real sizes, archetypes, anomaly rates, experiments.

Everything that says "how many" or "how much" lives here, so the shape of the data can be reviewed in one
place.
"""

from __future__ import annotations

import numpy as np


def epoch(text: str) -> int:
    """`YYYY-MM-DD[ HH:MM:SS]` -> epoch seconds (UTC, no time zone in the files)."""
    return int(np.datetime64(text.replace(" ", "T"), "s").astype(np.int64))


DAY = 86_400
HOUR = 3_600

# Sizes of the real case-study files (data/README.md); --scale multiplies users, orders and events.
REAL_USERS = 117_178
REAL_ORDER_LINES = 47_402
REAL_EVENT_ROWS = 853_640
REAL_EVENTS = {"view_item": 262_786, "test_assignment": 162_490, "view_user_profile": 3_088}
# Rows per platform among the non-test events (test assignments are all `server`).
PLATFORMS = ("web", "android", "mobile web", "iOS")
PLATFORM_WEIGHT = np.array([267_421, 87_501, 87_224, 86_514], dtype=float)
REFERRERS = ("home", "search", "recommendations", "email", "google", "facebook", "direct")
REFERRER_WEIGHT = np.array([30, 25, 15, 8, 12, 5, 5], dtype=float)

# Users are generated in blocks of at most this many (with their orders and events), which bounds memory.
CHUNK_USERS = 150_000

EXTRACTED_AT = "2018-07-01"
EXTRACTED = epoch(EXTRACTED_AT)
LAST_NORMAL = EXTRACTED - 1  # nothing normal is dated on or after the extraction day
USERS_FROM = epoch("2013-02-23 00:00:00")
ORDERS_FROM = epoch("2013-03-01 00:00:00")
FUTURE_FROM = EXTRACTED + DAY  # planted future-dated values start a day after the extraction
FUTURE_SPAN = 365 * DAY
# With --layout daily/monthly, one invoice/event in this many lands 1-2 days late (within late_arrival_days).
LATE_INVOICE_EVERY = 89
LATE_EVENT_EVERY = 97

# Buyers. A buyer's first order arrives at a time drawn like the sign-ups (more in later years, every month
# of the history); the archetype (the kind of buyer) depends on how long before the extraction the first
# order came, because a customer who arrived last month cannot yet be a loyal regular: each archetype's weight
# ramps linearly from 0 at ARRIVAL_RAMP_DAYS[a][0] to ARCHETYPE_WEIGHT[a] at [a][1] days before the
# extraction (recent one-timers the other way round: full weight up to [0], none from [1]). The ramps overlap
# (some archetype has weight at every age), so every month has new customers and no archetype starts at a
# cliff.
# After the first order a buyer follows a purchase process: further orders arrive as a Poisson process at
# RATE_PER_YEAR (uniform in the range) until the buyer churns, CHURN_AGE_DAYS before the extraction (uniform;
# (0, 0) = still active), or for dormant buyers once ACTIVE_DAYS after the first order have passed. Recency,
# frequency and monetary value follow from that behaviour; the archetypes overlap at the edges of their
# clouds. Lines per invoice and the price band mix (cheap, mid, high) set the spend level.
ARCHETYPES = (
    "loyal_high_value",
    "lapsed_big_spender",
    "recent_one_timer",
    "steady_low_value",
    "dormant_low_value",
)
NON_BUYER = "non_buyer"
ARCHETYPE_WEIGHT = np.array([0.18, 0.28, 1.0, 0.26, 0.28])
ARRIVAL_RAMP_DAYS = np.array([(150, 300), (640, 820), (150, 300), (300, 420), (560, 700)], dtype=float)
RECENT_ARCHETYPE = 2  # the one whose weight fades out instead of in
RATE_PER_YEAR = np.array([(9.0, 13.0), (2.5, 5.0), (0.0, 0.0), (4.5, 7.0), (1.0, 2.5)])
CHURN_AGE_DAYS = np.array([(0, 0), (450, 1100), (0, 0), (0, 0), (0, 0)], dtype=float)
ACTIVE_DAYS = np.array([(0, 0), (0, 0), (0, 0), (0, 0), (20, 300)], dtype=float)
# Dormant buyers stop at least this long before the extraction (their ACTIVE_DAYS are cut to fit); a
# churning buyer is active at least CHURN_MIN_LIFE_DAYS first (its churn age is cut to fit).
DORMANT_AGE_DAYS = 500
CHURN_MIN_LIFE_DAYS = 400
LINES_PER_INVOICE = np.array([(1, 2), (1, 2), (1, 3), (1, 1), (1, 2)])
BAND_MIX = np.array(
    [(0.02, 0.33, 0.65), (0.03, 0.22, 0.75), (0.15, 0.75, 0.10), (0.95, 0.05, 0.0), (0.90, 0.10, 0.0)]
)
BAND_UPPER_CENTS = (3_000, 15_000)  # cheap <= 30.00 < mid <= 150.00 < high
FREE_ADDON_RATE = 0.04  # a line is a free how-to-manual add-on
# Buyers per user, tuned so that scale 1 lands on ~47.4k order lines (most users never buy).
BUYER_RATE = 0.0266

# Planted anomaly counts at scale 1 (per REAL_USERS users); each scales with the users of a chunk, >= 1.
ORDERS_PLANT = {
    "paid_before_created_invoices": 40,
    "odd_timestamp_format": 300,
    "price_float_noise": 400,
    "unknown_item": 120,
    "duplicate_originals": 150,
    "null_price": 60,
    "negative_price": 40,
    "unparseable_timestamp": 50,
    "future_invoices": 30,
    "merge_roots_with_lines": 60,
    "deleted_buyers": 40,
    "ghost_customers": 25,
}
USERS_PLANT = {
    "merged_user": 1_760,  # ~1.5% of users
    "deleted_user": 2_900,  # ~2.5% of users
    "odd_timestamp_format": 300,
    "unparseable_timestamp": 60,
    "future_dated": 40,
    "merge_chains": 5,
}
EVENTS_PLANT = {
    "duplicate_parameter": 300,
    "unknown_user": 200,
    "unknown_item": 150,
    "unparseable_timestamp": 100,
    "future_dated": 80,
    "odd_timestamp_format": 250,
}
# Ids of unknown users never collide with real ones (real ids stay far below this at any sane scale).
UNKNOWN_ORDER_USER_BASE = 900_000_000
UNKNOWN_EVENT_USER_BASE = 950_000_000
INVOICE_ID_START = 100_000

# A/B tests: (test_id, first day, last day, control conversion, treatment conversion). Conversion = the
# assigned user's surviving customer has a sale (paid order line) created after the assignment; converters
# buy within 5 days of it, and non-converters never buy after the test starts, so any window >= 5 days gives
# the same rates.
EXPERIMENTS = (
    (4, "2017-09-01", "2017-11-30", 0.020, 0.020),
    (5, "2017-12-01", "2018-02-28", 0.020, 0.020),
    (6, "2018-01-15", "2018-04-15", 0.020, 0.020),
    (7, "2018-03-01", "2018-05-31", 0.020, 0.030),
)
CONVERSION_LAG_DAYS = (1 / 24, 5)
