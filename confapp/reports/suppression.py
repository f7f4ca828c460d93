"""The public version of the figures: every count of people under five becomes "fewer than 5",
places and categories with fewer than five people are not named (they are pooled into one
unnamed row), averages of fewer than five ratings are withheld, and money is left out.

Hiding a small count is not enough when a total is printed beside it: the hidden number comes
back by subtraction. So the public version also

- publishes the time series (registrations over time and their running total, arrivals by hour)
  in periods of at least five people, never day by day or hour by hour, so no period is small;
- then checks every relation between published numbers that a reader could use (a total and its
  parts, a running total and its steps, registered = attended + no-shows, registered = running
  total + walk-ins, the rating distribution and its average, a table of places whose rows add up
  to everyone) and, while any hidden number can still be worked out from the others, hides one
  more number in that relation ("not shown"): complementary suppression, checked by exact linear
  algebra, not just single subtractions.

Zero stays zero: it names nobody. The numbers of sessions and speakers are facts of the
published programme, and the numbers of cities, regions, countries and organisations count
places, not people: they are shown as they are. The rule runs on the figures dict (live or
frozen), so the public page, its charts, its PDF and its CSV/XLSX downloads all come from the
same suppressed data.
"""
from __future__ import annotations

import copy
from fractions import Fraction
from typing import Any, Iterable

THRESHOLD = 5
SUPPRESSED = "fewer than 5"
WITHHELD = "not shown"
PROGRAMME_FACTS = frozenset({"sessions", "speakers"})
# Counts of distinct places and organisations: how many cities, not how many people.
PLACE_COUNTS = frozenset({"cities", "regions", "countries", "organisations"})
UNSUPPRESSED_HEADLINE = PROGRAMME_FACTS | PLACE_COUNTS


def suppress(count: Any) -> Any:
    if isinstance(count, int) and not isinstance(count, bool) and 0 < count < THRESHOLD:
        return SUPPRESSED
    return count


def is_suppressed(value: Any) -> bool:
    return value in (SUPPRESSED, WITHHELD)


def _pooled(rows: list[dict], other_label: str) -> list[dict]:
    shown = [dict(row, count=row["count"]) for row in rows if row["count"] >= THRESHOLD]
    hidden = sum(row["count"] for row in rows if row["count"] < THRESHOLD)
    if hidden:
        shown.append({"label": other_label, "count": suppress(hidden), "pooled": True})
    return shown


def _periods(rows: list[dict], key: str) -> list[list[dict]]:
    """Consecutive rows grouped so that each group holds at least THRESHOLD people; a small
    remainder joins the last group. One group when the whole series is small."""
    groups: list[list[dict]] = []
    current: list[dict] = []
    for row in rows:
        current.append(row)
        if sum(r[key] for r in current) >= THRESHOLD:
            groups.append(current)
            current = []
    if current:
        if groups:
            groups[-1].extend(current)
        else:
            groups.append(current)
    return groups


def coarse_over_time(rows: list[dict]) -> list[dict]:
    """Registrations over time in periods of at least five (with the running total at each
    period's end), instead of days."""
    out = []
    for group in _periods(rows, "count"):
        first, last = group[0]["date"], group[-1]["date"]
        out.append({"date": first if first == last else f"{first} – {last}", "from": first, "to": last,
                    "count": sum(r["count"] for r in group), "cumulative": last_cumulative(group)})
    return out


def last_cumulative(group: list[dict]) -> int:
    return group[-1]["cumulative"]


def coarse_by_hour(rows: list[dict]) -> list[dict]:
    """Arrivals in spans of hours holding at least five people each."""
    out = []
    for group in _periods(rows, "count"):
        first, last = group[0]["label"], group[-1]["label"]
        end = f"{(int(last[:2]) + 1) % 24:02d}:00"
        out.append({"label": first if first == last else f"{first}–{end}", "first": first, "last": last,
                    "count": sum(r["count"] for r in group)})
    return out


def public_figures(figures: dict[str, Any]) -> dict[str, Any]:
    public = copy.deepcopy(figures)
    public["public"] = True
    public["headline"] = {
        key: value if key in UNSUPPRESSED_HEADLINE else suppress(value) for key, value in figures["headline"].items()
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
    for key in ("by_category", "by_language"):
        public[key] = [
            dict(row, registered=suppress(row["registered"]), attended=suppress(row["attended"]))
            for row in figures.get(key, [])
        ]
    public["sessions"] = [
        dict(
            row,
            attendance=suppress(row.get("attendance")),
            online=suppress(row.get("online") or 0),
            rating=row.get("rating") if (row.get("ratings") or 0) >= THRESHOLD else None,
            ratings=suppress(row.get("ratings") or 0),
        )
        for row in figures.get("sessions", [])
    ]
    public["online"] = {key: suppress(value) for key, value in (figures.get("online") or {}).items()}
    public["registrations_over_time"] = [
        dict(row, count=suppress(row["count"]), cumulative=suppress(row["cumulative"]))
        for row in coarse_over_time(figures.get("registrations_over_time", []))
    ]
    public["arrivals_by_hour"] = [dict(row, count=suppress(row["count"]))
                                  for row in coarse_by_hour(figures.get("arrivals_by_hour", []))]
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
    complementary_suppression(figures, public)
    return public


# --- complementary suppression -----------------------------------------------------------------

Path = tuple


def _get(data: Any, path: Path) -> Any:
    for step in path:
        data = data[step]
    return data


def _set(data: Any, path: Path, value: Any) -> None:
    for step in path[:-1]:
        data = data[step]
    data[path[-1]] = value


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def relations(raw: dict, public: dict) -> list[dict[Path, Fraction]]:
    """Every linear relation between published numbers that holds in the true figures and that a
    reader could know or guess: {cell: coefficient}, summing to zero. Cells are paths into the
    public figures."""
    h = raw["headline"]
    rel: list[dict[Path, Fraction]] = []

    def add(terms: Iterable[tuple[Path, int | Fraction]], exact: bool = True) -> None:
        terms = list(terms)
        try:  # figures frozen by an older version may lack a number: no relation then
            if any(_get(public, p) is None for p, _ in terms):
                return
        except (KeyError, IndexError):
            return
        # A relation that does not hold in the true figures teaches a reader nothing exact.
        if exact and sum(Fraction(c) * _true(raw, public, p) for p, c in terms) != 0:
            return
        row: dict[Path, Fraction] = {}
        for p, c in terms:
            row[p] = row.get(p, Fraction(0)) + Fraction(c)
        rel.append(row)

    reg, att, noshow, walk = (("headline", k) for k in ("registered", "attended", "no_shows", "walk_ins"))
    if raw.get("attendance_known") and h.get("attended") is not None:
        add([(reg, 1), (att, -1), (noshow, -1)])
    for key in ("by_category", "by_language"):  # each person is in one category and speaks one language
        parts = public.get(key, [])
        if parts:
            add([(reg, 1)] + [((key, i, "registered"), -1) for i in range(len(parts))])
            if raw.get("attendance_known"):
                add([(att, 1)] + [((key, i, "attended"), -1) for i in range(len(parts))])
    series = public.get("registrations_over_time", [])
    for i in range(len(series)):
        step = [(("registrations_over_time", i, "cumulative"), 1), (("registrations_over_time", i, "count"), -1)]
        if i:
            step.append((("registrations_over_time", i - 1, "cumulative"), -1))
        add(step)
    if series:
        add([(reg, 1), (walk, -1), (("registrations_over_time", len(series) - 1, "cumulative"), -1)])
    hours = public.get("arrivals_by_hour", [])
    if hours and raw.get("attendance_known"):
        add([(att, 1)] + [(("arrivals_by_hour", i, "count"), -1) for i in range(len(hours))])
    for key in ("cities", "regions", "countries", "organisation_kinds", "organisations"):
        rows = public.get(key, [])
        if rows:  # everyone answered: the rows add up to the registered
            add([(reg, 1)] + [((key, i, "count"), -1) for i in range(len(rows))])
    add([(("headline", "feedback_responses"), 1), (("feedback", "responses"), -1)])
    distribution = public["feedback"].get("distribution", [])
    if distribution:
        ratings = ("feedback", "overall_ratings")
        add([(ratings, 1)] + [(("feedback", "distribution", i, "count"), -1) for i in range(len(distribution))])
        average = public["feedback"].get("overall_average")
        if average is not None:
            # The average (two decimals) nearly pins the ratings' weighted sum: treated as exact.
            add([(ratings, -Fraction(str(average)))] + [(("feedback", "distribution", i, "count"), int(r["label"]))
                                                      for i, r in enumerate(distribution)], exact=False)
    return rel


def _true(raw: dict, public: dict, path: Path) -> int:
    """The true value behind a public cell (pooled rows and periods are sums of raw rows)."""
    value = _get(public, path)
    if _is_count(value):
        return value
    return _hidden_truth(raw, public, path)


def _hidden_truth(raw: dict, public: dict, path: Path) -> int:
    key = path[0]
    if key == "headline":
        return raw["headline"][path[1]]
    if key == "feedback":
        return _get(raw, path)
    row = public[key][path[1]]
    if key == "registrations_over_time":
        days = [r for r in raw[key] if row["from"] <= r["date"] <= row["to"]]
        return sum(r["count"] for r in days) if path[2] == "count" else days[-1]["cumulative"]
    if key == "arrivals_by_hour":
        return sum(r["count"] for r in raw[key] if row["first"] <= r["label"] <= row["last"])
    if row.get("pooled"):
        return sum(r["count"] for r in raw.get(key, []) if r["count"] < THRESHOLD)
    if key in ("by_category", "by_language", "organisations"):  # row for row as in the raw figures
        return raw[key][path[1]][path[2]]
    return next(r for r in raw.get(key, []) if r["label"] == row["label"])[path[2]]


def determined(rel: list[dict[Path, Fraction]], unknown: set[Path]) -> set[Path]:
    """The unknown cells that the relations fix exactly (a unit row in the reduced echelon form
    of the relations restricted to the unknowns)."""
    columns = sorted(unknown)
    index = {p: i for i, p in enumerate(columns)}
    rows = [[r.get(p, Fraction(0)) for p in columns] for r in rel if any(p in index for p in r)]
    pivot_row = 0
    pivots = []
    for col in range(len(columns)):
        found = next((i for i in range(pivot_row, len(rows)) if rows[i][col] != 0), None)
        if found is None:
            continue
        rows[pivot_row], rows[found] = rows[found], rows[pivot_row]
        lead = rows[pivot_row][col]
        rows[pivot_row] = [v / lead for v in rows[pivot_row]]
        for i in range(len(rows)):
            if i != pivot_row and rows[i][col] != 0:
                factor = rows[i][col]
                rows[i] = [a - factor * b for a, b in zip(rows[i], rows[pivot_row])]
        pivots.append(col)
        pivot_row += 1
    return {columns[col] for r, col in zip(rows, pivots) if sum(1 for v in r if v != 0) == 1}


# Which published number to hide next: never the number registered (it leads the page and the
# narrative) unless nothing else will do; rows of tables before headline figures; small first.
def _cost(path: Path, public: dict) -> tuple:
    value = _get(public, path)
    tier = 3 if path == ("headline", "registered") else 2 if path == ("headline", "attended") else \
        1 if path[0] in ("headline", "feedback") and len(path) == 2 else 0
    return (tier, value == 0, value, path)


def complementary_suppression(raw: dict, public: dict) -> set[Path]:
    """Hide further numbers until no hidden one follows from the published ones. Returns the
    cells marked "not shown"."""
    rel = relations(raw, public)
    cells = {p for r in rel for p in r}
    unknown = {p for p in cells if is_suppressed(_get(public, p))}
    withheld: set[Path] = set()
    while True:
        fixed = determined(rel, unknown)
        if not fixed:
            return withheld
        pool = sorted(
            {p for r in rel if fixed & r.keys() for p in r
             if p not in unknown and _is_count(_get(public, p))},
            key=lambda p: _cost(p, public))
        if not pool:  # cannot happen while a fixed cell has a relation; keep the loop finite
            pool = sorted((p for p in cells if p not in unknown), key=lambda p: _cost(p, public))
            if not pool:
                return withheld
        # Hide the registered number only when nothing else will do; otherwise the cheapest cell
        # that frees some hidden number, or else the cheapest one (the loop goes on from there).
        cheap = [p for p in pool if _cost(p, public)[0] < 3] or pool
        choice = next((p for p in cheap if len(determined(rel, unknown | {p})) < len(fixed)), cheap[0])
        unknown.add(choice)
        withheld.add(choice)
        _set(public, choice, WITHHELD)
