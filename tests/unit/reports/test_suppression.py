"""Complementary suppression on its own: small and empty events, and the relations it guards."""
from datetime import timedelta

from confapp.reports.queries import compute_figures
from confapp.reports.suppression import (SUPPRESSED, WITHHELD, coarse_over_time, determined, is_suppressed,
                                         public_figures, relations)
from confapp.types import utcnow
from tests.factories import make_event, make_user
from tests.reports_data import Builder, check_in_known, known_event


def audit(figures):
    public = public_figures(figures)
    rel = relations(figures, public)
    unknown = {p for r in rel for p in r if is_suppressed(_get(public, p))}
    return public, determined(rel, unknown)


def _get(data, path):
    for step in path:
        data = data[step]
    return data


def past_event():
    start = utcnow() - timedelta(days=3)
    return make_event(organiser=make_user(), starts_at=start, ends_at=start + timedelta(hours=30))


def test_an_empty_event_hides_nothing_and_gives_nothing_away(db):
    public, fixed = audit(compute_figures(past_event()))
    assert fixed == set() and public["registrations_over_time"] == [] and public["headline"]["registered"] == 0


def test_three_people_are_fewer_than_five_everywhere_and_stay_hidden(db):
    event = past_event()
    builder = Builder(event)
    for i in range(3):
        builder.order([{"name": f"Tiny{i} Person", "email": f"tiny{i}@example.org", "city": "Boston", "country": "US"}],
                      at=event.starts_at - timedelta(days=i + 1))
    public, fixed = audit(compute_figures(event))
    assert fixed == set()
    assert public["headline"]["registered"] == SUPPRESSED
    assert [row["count"] for row in public["registrations_over_time"]] == [SUPPRESSED]


def test_a_small_number_beside_its_total_takes_a_complement_with_it(db):
    organiser = make_user()
    event = past_event()
    check_in_known(known_event(event), organiser)
    public, fixed = audit(compute_figures(event))
    assert fixed == set()
    h = public["headline"]
    assert h["registered"] == 10 and h["no_shows"] == SUPPRESSED and h["attended"] == WITHHELD


def test_days_are_grouped_into_periods_of_at_least_five():
    days = [{"date": f"2026-10-0{d}", "count": c, "cumulative": 0} for d, c in enumerate([1, 0, 4, 2, 9, 1], start=1)]
    running = 0
    for day in days:
        running += day["count"]
        day["cumulative"] = running
    periods = coarse_over_time(days)
    # A small remainder at the end joins the last period.
    assert [(p["date"], p["count"], p["cumulative"]) for p in periods] == [
        ("2026-10-01 – 2026-10-03", 5, 5), ("2026-10-04 – 2026-10-06", 12, 17)]


def test_a_small_language_group_is_hidden_with_its_complement(db):
    """Two Spanish speakers among ten: "fewer than 5", and the English row (which would give the
    Spanish count back by subtraction from the total) is not shown either."""
    from confapp.registration.models import Registration

    event = past_event()
    known_event(event)
    for registration in db.session.query(Registration).filter_by(event_id=event.id):
        if registration.first_name in ("Hana", "Ivan"):
            registration.language = "es"
    db.session.flush()
    figures = compute_figures(event)
    public, fixed = audit(figures)
    assert fixed == set()
    rows = {row["label"]: row["registered"] for row in public["by_language"]}
    assert rows["Spanish"] == SUPPRESSED and rows["English"] in (SUPPRESSED, WITHHELD)
    assert public["headline"]["registered"] == 10
