"""The public version of the figures: every count of people under five becomes "fewer than 5",
places and categories with fewer than five people are not named (they are pooled into one
unnamed row), averages of fewer than five ratings are withheld, and money is left out.

Zero stays zero: it names nobody. The numbers of sessions and speakers are facts of the
published programme, not counts of participants, and are shown as they are. The rule runs on the figures dict (live or frozen), so the
public page, its PDF and its CSV/XLSX downloads all come from the same suppressed data.
"""
from __future__ import annotations

import copy
from typing import Any

THRESHOLD = 5
SUPPRESSED = "fewer than 5"
PROGRAMME_FACTS = frozenset({"sessions", "speakers"})


def suppress(count: Any) -> Any:
    if isinstance(count, int) and not isinstance(count, bool) and 0 < count < THRESHOLD:
        return SUPPRESSED
    return count


def is_suppressed(value: Any) -> bool:
    return value == SUPPRESSED


def _pooled(rows: list[dict], other_label: str) -> list[dict]:
    shown = [dict(row, count=row["count"]) for row in rows if row["count"] >= THRESHOLD]
    hidden = sum(row["count"] for row in rows if row["count"] < THRESHOLD)
    if hidden:
        shown.append({"label": other_label, "count": suppress(hidden), "pooled": True})
    return shown


def public_figures(figures: dict[str, Any]) -> dict[str, Any]:
    public = copy.deepcopy(figures)
    public["public"] = True
    public["headline"] = {
        key: value if key in PROGRAMME_FACTS else suppress(value) for key, value in figures["headline"].items()
    }
    for key, label in (
        ("cities", "Other cities (under 5 each)"),
        ("regions", "Other regions (under 5 each)"),
        ("countries", "Other countries (under 5 each)"),
        ("organisation_kinds", "Other kinds (under 5 each)"),
    ):
        public[key] = _pooled(figures.get(key, []), label)
    # Organisation names come only from people who agreed to be listed; their counts are hidden
    # below five like any other count.
    public["organisations"] = [dict(row, count=suppress(row["count"])) for row in figures.get("organisations", [])]
    public["by_category"] = [
        dict(row, registered=suppress(row["registered"]), attended=suppress(row["attended"]))
        for row in figures.get("by_category", [])
    ]
    public["sessions"] = [
        dict(
            row,
            attendance=suppress(row.get("attendance")),
            rating=row.get("rating") if (row.get("ratings") or 0) >= THRESHOLD else None,
            ratings=suppress(row.get("ratings") or 0),
        )
        for row in figures.get("sessions", [])
    ]
    public["registrations_over_time"] = [
        dict(row, count=suppress(row["count"]), cumulative=suppress(row["cumulative"]))
        for row in figures.get("registrations_over_time", [])
    ]
    public["arrivals_by_hour"] = [dict(row, count=suppress(row["count"])) for row in figures.get("arrivals_by_hour", [])]
    feedback = dict(figures.get("feedback") or {})
    enough = (feedback.get("overall_ratings") or 0) >= THRESHOLD
    public["feedback"] = {
        "responses": suppress(feedback.get("responses", 0)),
        "overall_ratings": suppress(feedback.get("overall_ratings", 0)),
        "overall_average": feedback.get("overall_average") if enough else None,
        "distribution": [dict(row, count=suppress(row["count"])) for row in feedback.get("distribution", [])]
        if enough
        else [],
    }
    public.pop("finance", None)
    return public
