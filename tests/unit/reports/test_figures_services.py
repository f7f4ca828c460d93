"""The known counts again, with every registration made through the registration services and
every arrival through the check-in service: the statuses, walk-in flags and cancellations are
exactly what the real flows leave behind."""
from datetime import timedelta

from confapp.checkin import services as checkin
from confapp.registration import catalogue, services as registration
from confapp.registration.catalogue import CategoryData
from confapp.registration.services import AttendeeData, CategoryChoice, OrderRequest
from confapp.reports.queries import compute_figures
from tests.factories import make_event, make_user


def test_known_counts_through_the_real_services(db):
    organiser = make_user()
    event = make_event(organiser=organiser)
    before = event.starts_at - timedelta(days=10)
    general = catalogue.save_category(event, CategoryData(name="General"), actor=organiser)
    q = {key: catalogue.set_builtin(event, key, True, actor=organiser).id
         for key in ("city", "organisation", "consent_attendee_list")}

    def register(people, *, at_door=False, now=before):
        request = OrderRequest([CategoryChoice(general.id, len(people))],
                               [AttendeeData(first, last, email, {q["city"]: city, q["organisation"]: org,
                                                                  q["consent_attendee_list"]: "yes" if consent else ""})
                                for first, last, email, city, org, consent in people],
                               at_door=at_door, send_email=False)
        return registration.place_order(event, request, actor=organiser if at_door else None, now=now)

    alice = ("Alice", "Adeyemi", "alice@example.org", "Boston", "Boston University", True)
    first = register([alice])
    registration.cancel_registration(first.registrations[0], actor=None, by_attendee=True, now=before + timedelta(hours=1),
                                     send_email=False)
    again = register([alice], now=before + timedelta(days=1))
    bob = register([("Bob", "Brennan", "bob@example.org", "Chicago", "", False)])
    registration.cancel_registration(bob.registrations[0], actor=None, by_attendee=True, now=before + timedelta(hours=2),
                                     send_email=False)
    group = register([("Carol", "Castillo", "carol@example.org", "Boston", "Boston University", True),
                      ("Dan", "Dube", "dan@example.org", "Boston", "Boston University", False),
                      ("Eve", "Eriksen", "eve@example.org", "Chicago", "Columbia University", False)])
    singles = [register([(name, "Single", f"{name.lower()}@example.org", "Baltimore", "", False)]) for name in ("Grace", "Jo")]
    door_time = event.starts_at + timedelta(hours=1)
    walk_ins = [register([(name, "Walker", f"{name.lower()}@example.org", "Boston", "", False)], at_door=True, now=door_time)
                for name in ("Wanda", "Will")]

    door = checkin.main_list(event, actor=organiser, now=event.starts_at)
    arriving = [again.registrations[0], group.registrations[0], group.registrations[1]] + [o.registrations[0] for o in walk_ins]
    for r in arriving:
        assert checkin.redeem(r.ticket_code, checkin_list=door, station="Door", actor=organiser, now=door_time).check_in

    h = compute_figures(event)["headline"]
    assert (h["registered"], h["attended"], h["no_shows"]) == (8, 5, 3)  # Eve, Grace and Jo did not come
    assert (h["cancelled"], h["walk_ins"], h["group_orders"], h["group_registrations"]) == (1, 2, 1, 3)
    assert (h["cities"], h["organisations"]) == (3, 2)
    assert [row["label"] for row in compute_figures(event)["organisations"]] == ["Boston University"]
    assert all(o.registrations[0].status == "confirmed" for o in singles)


def test_finances_through_the_real_payment_services(db):
    from confapp.payments import services as payments

    organiser = make_user()
    event = make_event(organiser=organiser)
    now = event.starts_at - timedelta(days=10)
    catalogue.save_settings(event, {"invoice_enabled": True}, actor=organiser)
    general = catalogue.save_category(event, CategoryData(name="General", price_kind="fixed", price_minor=5000,
                                                          allows_waiver=True), actor=organiser)
    catalogue.create_discount_code(event, code="ALLY10", kind="percent", percent=10, actor=organiser)

    def order(people, **extra):
        request = OrderRequest([CategoryChoice(general.id, len(people))],
                               [AttendeeData(n, "Payer", f"{n.lower()}@example.org") for n in people],
                               send_email=False, **extra)
        return registration.place_order(event, request, actor=None, now=now)

    paid = order(["Ana", "Ben"], discount_code="ALLY10", payment_method="invoice")  # 2 x 50.00 - 10% = 90.00
    payments.mark_paid_offline(paid, method="invoice", actor=organiser, now=now)
    payments.refund_order(paid, 3000, actor=organiser, reason="Ben could only come one day", now=now)
    waived = order(["Cy"], waiver_requested=True, waiver_reason="Unwaged organiser", payment_method="invoice")
    registration.approve_order(waived, actor=organiser, now=now)

    finance = compute_figures(event)["finance"]
    assert finance == {"currency": "USD", "fees_minor": 9000, "discounts_minor": 1000, "waived_minor": 5000,
                       "waived_orders": 1, "refunds_minor": 3000, "net_minor": 6000}


def test_kinds_of_organisation_come_from_an_organisers_choice_question(db):
    from confapp.registration.catalogue import QuestionData

    organiser = make_user()
    event = make_event(organiser=organiser)
    general = catalogue.save_category(event, CategoryData(name="General"), actor=organiser)
    kind = catalogue.save_question(event, QuestionData(label="Type of organisation", kind="single_choice",
                                                       options=["Community group", "University", "Government"]),
                                   actor=organiser)
    for i, answer in enumerate(["Community group"] * 3 + ["University"]):
        registration.place_order(event, OrderRequest([CategoryChoice(general.id, 1)],
                                                     [AttendeeData(f"P{i}", "K", f"k{i}@example.org", {kind.id: answer})],
                                                     send_email=False), actor=None, now=event.starts_at - timedelta(days=3))
    kinds = {row["label"]: row["count"] for row in compute_figures(event)["organisation_kinds"]}
    assert kinds == {"Community group": 3, "University": 1}


def test_nobody_is_a_no_show_before_the_doors_open(db):
    """An upcoming event's dashboard shows registrations, not 'no-shows' for everyone."""
    from datetime import datetime, timedelta, timezone

    from confapp.checkin import services as checkin
    from confapp.reports.queries import compute_figures
    from tests.factories import make_admin, make_event, make_registration

    start = datetime(2031, 6, 1, 13, 0, tzinfo=timezone.utc)
    event = make_event(starts_at=start, ends_at=start + timedelta(hours=8))
    first = make_registration(event, now=start - timedelta(days=30))
    make_registration(event, now=start - timedelta(days=30))
    before = compute_figures(event)
    assert before["attendance_known"] is False
    assert before["headline"]["no_shows"] is None and before["headline"]["registered"] == 2
    # Doors open early: the first arrival makes attendance count, before the official start.
    admin = make_admin()
    door = checkin.main_list(event, actor=admin, now=start - timedelta(hours=1))
    checkin.redeem(first.ticket_code, checkin_list=door, station="Front desk", actor=admin, now=start - timedelta(minutes=30))
    during = compute_figures(event)
    assert during["attendance_known"] is True
    assert during["headline"]["attended"] == 1 and during["headline"]["no_shows"] == 1
