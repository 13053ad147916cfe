"""Vectorised formatting of values exactly as the shop's raw files write them."""

from __future__ import annotations

import numpy as np

NULL = "None"
# Timestamp styles: how a value is written.
TS_NORMAL, TS_ODD, TS_GARBAGE, TS_NULL = 0, 1, 2, 3
# Values no timestamp parser accepts; none of them is the null marker or contains a comma.
GARBAGE = np.array(["not a date", "#N/A", "unknown", "TBD", "??-??-?? ??:??", "0", "2017-13-45 99:99:99"])


def ts(
    seconds: np.ndarray, style: np.ndarray | None = None, garbage_pick: np.ndarray | None = None
) -> np.ndarray:
    """Epoch seconds -> `YYYY-MM-DD HH:MM:SS` (style TS_ODD: `YYYY-MM-DD HH-MM-SS`, TS_GARBAGE, TS_NULL)."""
    seconds = np.asarray(seconds, dtype=np.int64)
    raw = np.datetime_as_string(seconds.astype("datetime64[s]"), unit="s").astype("S19")
    b = raw.view(np.uint8).reshape(-1, 19).copy()
    b[:, 10] = ord(" ")
    if style is not None:
        odd = style == TS_ODD
        b[odd, 13] = ord("-")
        b[odd, 16] = ord("-")
    out = b.view("S19").ravel().astype("U19").astype(object)
    if style is not None:
        garbage = style == TS_GARBAGE
        if garbage.any():
            pick = garbage_pick[garbage] if garbage_pick is not None else np.zeros(garbage.sum(), dtype=int)
            out[garbage] = GARBAGE[pick % len(GARBAGE)]
        out[style == TS_NULL] = NULL
    return out


def float_id(ids: np.ndarray, null: np.ndarray | None = None) -> np.ndarray:
    """Integer ids written as floats, like the real files (`192320.0`); `None` where null."""
    out = np.char.add(np.asarray(ids, dtype=np.int64).astype(str), ".0").astype(object)
    if null is not None:
        out[null] = NULL
    return out


def int_str(values: np.ndarray) -> np.ndarray:
    return np.asarray(values, dtype=np.int64).astype(str).astype(object)


def price(cents: np.ndarray, noise: np.ndarray | None = None) -> np.ndarray:
    """Cents -> the shortest float text (`13.75`, `150.0`); where `noise` is +1/-1, the next float up/down
    (`13.750000000000002`), which never equals the rounded text."""
    value = np.asarray(cents, dtype=np.int64) / 100.0
    if noise is not None:
        value = np.where(noise > 0, np.nextafter(value, np.inf), value)
        value = np.where(noise < 0, np.nextafter(value, -np.inf), value)
    return value.astype(str).astype(object)
