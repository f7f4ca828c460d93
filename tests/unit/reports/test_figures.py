"""Report figures against a fixture whose true counts are known."""
from confapp.reports.queries import compute_figures
from confapp.reports.suppression import SUPPRESSED, public_figures
from tests.factories import make_event, make_user
from tests.reports_data import check_in_known, known_event, program_known


def test_figures_match_the_known_counts(db):
    event = make_event()
    check_in_known(known_event(event), make_user(name="Desk Volunteer"))
    figures = compute_figures(event)
    h = figures["headline"]
    assert figures["attendance_known"]
    assert (h["attended"], h["no_shows"]) == (7, 3)  # Eve's undone check-in does not count
    assert [(r["label"], r["registered"], r["attended"]) for r in figures["by_category"]] == [
        ("General", 5, 3), ("Walk-in", 2, 2), ("Student", 3, 2)]
    # Local (New York) hours of arrival, from 09:00: 25 minutes apart.
    assert sum(row["count"] for row in figures["arrivals_by_hour"]) == 7
    assert figures["arrivals_by_hour"][0]["label"] == "09:00"
    assert h["registered"] == 10  # Alice once, though she registered twice and cancelled once
    assert h["cancelled"] == 1  # Bob; Alice's superseded cancellation is not counted
    assert h["pending"] == 1
    assert h["walk_ins"] == 2
    assert (h["group_orders"], h["group_registrations"]) == (1, 3)
    assert h["waitlist"] == 1
    assert (h["cities"], h["countries"], h["organisations"]) == (3, 2, 4)
    cities = {row["label"]: row["count"] for row in figures["cities"]}
    assert cities == {"Boston": 7, "Chicago": 2, "Baltimore": 1}
    # Named only for people who agreed to be listed: Dan's "Boston  University" counts but is not
    # a consent; Columbia (Eve) and Secret Org (Grace) never appear by name.
    assert {row["label"]: row["count"] for row in figures["organisations"]} == {"Boston University": 2, "Community Legal Aid": 1}
    assert [(r["label"], r["registered"]) for r in figures["by_category"]] == [("General", 5), ("Walk-in", 2), ("Student", 3)]
    assert figures["finance"] == {
        "currency": "USD", "fees_minor": 28500, "discounts_minor": 1500, "waived_minor": 5000, "waived_orders": 1,
        "refunds_minor": 10000, "net_minor": 18500,
    }
    over_time = figures["registrations_over_time"]
    assert over_time[-1]["cumulative"] == 8  # walk-ins joined at the door, not before
    assert sum(row["count"] for row in over_time) == 8


def test_sessions_speakers_and_session_attendance(db):
    organiser = make_user()
    event = make_event(organiser=organiser)
    builder = known_event(event)
    program_known(builder, organiser)
    figures = compute_figures(event)
    assert (figures["headline"]["sessions"], figures["headline"]["speakers"]) == (2, 3)
    rows = {row["title"]: row for row in figures["sessions"]}
    assert set(rows) == {"Opening plenary", "Workshop on the right to housing"}
    assert (rows["Opening plenary"]["attendance"], rows["Opening plenary"]["attendance_source"]) == (4, "check-ins")
    assert (rows["Workshop on the right to housing"]["attendance"], rows["Workshop on the right to housing"]["attendance_source"]) == (3, "sign-ups")
    assert rows["Opening plenary"]["speakers"] == 2 and rows["Workshop on the right to housing"]["speakers"] == 2


def test_public_figures_hide_small_counts_and_small_places(db):
    event = make_event()
    known_event(event)
    public = public_figures(compute_figures(event))
    assert public["headline"]["registered"] == 10
    assert public["headline"]["cancelled"] == SUPPRESSED
    # Three cities and two countries are counts of places, not of people: shown as they are.
    assert public["headline"]["cities"] == 3 and public["headline"]["countries"] == 2
    labels = [row["label"] for row in public["cities"]]
    assert "Chicago" not in labels and "Baltimore" not in labels and "Boston" in labels
    assert public["cities"][-1]["count"] == SUPPRESSED
    assert all(row["count"] == SUPPRESSED for row in public["organisations"])
    assert "finance" not in public


def test_figures_take_a_fixed_number_of_queries(db, count_queries):
    small, large = make_event(), make_event()
    known_event(small)
    builder = known_event(large)
    for _ in range(3):
        known_event(large, builder)
    program_known(builder, make_user(site_admin=True))
    with count_queries() as few:
        compute_figures(small)
    with count_queries() as many:
        compute_figures(large)
    assert len(few) == len(many) <= 18


def _speak_spanish(event, first_names, *, own=()):
    """Orders of these people placed in Spanish; `own`: people who chose Spanish themselves
    (their ticket page) in an order placed in English."""
    from confapp.extensions import db
    from confapp.registration.models import Registration

    for registration in db.session.query(Registration).filter_by(event_id=event.id):
        if registration.first_name in first_names:
            registration.order.language = "es"
        if registration.first_name in own:
            registration.language = "es"
    db.session.flush()


def test_registrations_and_attendance_are_counted_by_language(db):
    event = make_event()
    check_in_known(known_event(event), make_user(name="Desk Volunteer"))
    # Carol's group of three was booked in Spanish, but Dan chose English on his ticket page.
    _speak_spanish(event, {"Carol", "Hana"}, own={"Ivan"})
    from confapp.extensions import db as _db
    from confapp.registration.models import Registration

    dan = _db.session.query(Registration).filter_by(event_id=event.id, first_name="Dan").one()
    dan.language = "en"
    _db.session.flush()
    figures = compute_figures(event)
    rows = [(r["code"], r["label"], r["registered"]) for r in figures["by_language"]]
    # Spanish: Carol and Eve (the group's order), Hana (her order), Ivan (his own choice); Dan's own
    # choice of English wins over his order's Spanish. Bob (cancelled) and Frank (pending) do not count.
    assert rows == [("en", "English", 6), ("es", "Spanish", 4)]
    assert sum(r["registered"] for r in figures["by_language"]) == figures["headline"]["registered"]
    assert sum(r["attended"] for r in figures["by_language"]) == figures["headline"]["attended"]


def test_an_event_before_languages_counts_everyone_in_english(db):
    event = make_event()
    known_event(event)
    figures = compute_figures(event)
    assert [(r["code"], r["registered"]) for r in figures["by_language"]] == [("en", 10)]
