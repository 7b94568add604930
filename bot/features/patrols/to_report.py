"""Which report category a patrol observation becomes when the leader turns it into a report."""

from __future__ import annotations

from bot.features.reports.model import CATEGORY_BY_KEY

REPORT_CATEGORY: dict[str, str] = {
    "late_business": "other",
    "encroachment": "littering",  # "Littering or encroachment on road/pavement"
    "littering": "littering",
    "noise": "disorder",
    "unlocked": "other",
    "suspicious": "suspicious",
    "fire_hazard": "fire",
    "traffic": "traffic",
    "other": "other",
}
assert set(REPORT_CATEGORY.values()) <= set(CATEGORY_BY_KEY)


def report_category(kind_code: str) -> str:
    """The report category for an observation kind (``other`` for a kind not listed)."""
    return REPORT_CATEGORY.get(kind_code, "other")
