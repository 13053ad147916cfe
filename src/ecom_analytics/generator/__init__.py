"""Deterministic generator of the case-study shop's raw files (users, items, orders, events).

The real shop's orders, users and events are not public, so the project generates them at any scale with the
real files' format and quirks, plus known planted anomalies and buyer archetypes (the ground truth, written
outside the raw folder). `python -m ecom_analytics.generator --help` for the command line.
"""

from .writer import generate

__all__ = ["generate"]
