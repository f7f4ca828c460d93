"""Organiser registration pages: access per role, list (fixed query count), filters, export, actions."""
import csv
import io

from sqlalchemy import select

from confapp.registration.models import (
    AccessCode, DiscountCode, Question, RegistrationCategory, RegistrationSettings, RegistrationStatus, WaitlistEntry,
)
from confapp.registration.waitlist import join_waitlist
from tests.factories import make_category, make_registration
from tests.support.access import ADMIN, ANON, NO_ROLE, ORGANISER, OTHER_ORGANISER, STAFF, access_world, assert_access, organisers_only
from tests.support.queries import count_queries


def test_access_to_every_organiser_route(client, db):
    world = access_world()
    event = world.event
    category = make_category(event, requires_approval=True)
    reg = make_registration(event, category)
    entry = join_waitlist(event, name="W", email="w@example.org", now=reg.created_at)
    s = event.slug
    base = f"/manage/{s}/registrations"
    assert_access(client, db, world, [
        ("GET", base, organisers_only(200)),
        ("GET", f"{base}/export.csv", organisers_only(200)),
        ("GET", f"{base}/{reg.id}", organisers_only(200)),
        ("GET", f"{base}/{reg.id}/edit", organisers_only(200)),
        ("POST", f"{base}/{reg.id}/edit", organisers_only(302), {"first_name": "New", "email": reg.email}),
        ("GET", f"{base}/new", organisers_only(200)),
        ("POST", f"{base}/new", organisers_only(302), {"category_id": category.id, "first_name": "Added", "email": "added@example.org", "payment_method": "none"}),
        ("POST", f"{base}/{reg.id}/resend", organisers_only(302)),
        ("POST", f"{base}/{reg.id}/approve", organisers_only(302), {"message": ""}),
        ("POST", f"{base}/{reg.id}/reject", organisers_only(302), {"message": "no"}),
        ("POST", f"{base}/{reg.id}/cancel", organisers_only(302), {"refund": "none"}),
        ("GET", f"/manage/{s}/registration/categories", organisers_only(200)),
        ("GET", f"/manage/{s}/registration/categories/new", organisers_only(200)),
        ("POST", f"/manage/{s}/registration/categories/new", organisers_only(302), {"name": "Student", "price_kind": "free", "visibility": "public"}),
        ("GET", f"/manage/{s}/registration/categories/{category.id}", organisers_only(200)),
        ("GET", f"/manage/{s}/registration/questions", organisers_only(200)),
        ("POST", f"/manage/{s}/registration/questions/builtin/pronouns", organisers_only(302), {"enabled": "1"}),
        ("GET", f"/manage/{s}/registration/questions/new", organisers_only(200)),
        ("POST", f"/manage/{s}/registration/questions/new", organisers_only(302), {"label": "T-shirt", "kind": "short_text", "condition_question_id": "0"}),
        ("GET", f"/manage/{s}/registration/codes", organisers_only(200)),
        ("POST", f"/manage/{s}/registration/codes", organisers_only(302), {"kind": "access", "access-code": "SPEAK"}),
        ("GET", f"/manage/{s}/registration/settings", organisers_only(200)),
        ("POST", f"/manage/{s}/registration/settings", organisers_only(302), {"hold_minutes": "30", "max_per_order": "10", "currency": "USD", "refund_policy": "full", "offer_hours": "48", "card_enabled": "y"}),
        ("GET", f"/manage/{s}/waitlist", organisers_only(200)),
        ("POST", f"/manage/{s}/waitlist/{entry.id}/down", organisers_only(302)),
        ("POST", f"/manage/{s}/waitlist/{entry.id}/remove", organisers_only(302)),
        ("GET", f"/e/{s}/register", {r: 200 for r in (ANON, NO_ROLE, STAFF, OTHER_ORGANISER, ORGANISER, ADMIN)}),
    ])


def test_other_events_registrations_are_not_reachable(client, db, organiser, event, login_as):
    from tests.factories import make_event

    other = make_event()
    reg = make_registration(other, make_category(other))
    db.session.commit()
    login_as(organiser)
    assert client.get(f"/manage/{event.slug}/registrations/{reg.id}").status_code == 404


def test_list_runs_a_fixed_number_of_queries_whatever_the_size(client, db, organiser, event, login_as, questions):
    category = make_category(event)
    org = questions[2]
    for i in range(3):
        make_registration(event, category, answers={org.id: f"Org {i}", questions[0].id: "No"})
    db.session.commit()
    login_as(organiser)
    db.session.commit()  # same starting state for both measurements (nothing cached in the session)
    url = f"/manage/{event.slug}/registrations"
    with count_queries(db.engine) as small:
        assert client.get(url).status_code == 200
    for i in range(30):
        make_registration(event, category, answers={org.id: f"Org {i}", questions[0].id: "No"})
    db.session.commit()
    with count_queries(db.engine) as large:
        page = client.get(url).get_data(as_text=True)
    assert "Org 29" in page
    assert large.count == small.count <= 10, large.statements


def test_search_and_filters(client, db, organiser, event, login_as, questions):
    needs, which, org = questions
    general = make_category(event, name="General")
    student = make_category(event, name="Student")
    make_registration(event, general, first_name="Martha", last_name="Davis", answers={org.id: "Northeastern", needs.id: "No"})
    jackie = make_registration(event, student, first_name="Jackie", last_name="Smith", answers={org.id: "Columbia", needs.id: "Yes", which.id: "ASL"})
    db.session.commit()
    login_as(organiser)
    url = f"/manage/{event.slug}/registrations"

    def names(**params):
        page = client.get(url, query_string=params).get_data(as_text=True)
        return {n for n in ("Martha Davis", "Jackie Smith") if n in page}

    assert names(q="columbia") == {"Jackie Smith"}
    assert names(q="martha") == {"Martha Davis"}
    assert names(q=jackie.ticket_code) == {"Jackie Smith"}
    assert names(category=general.id) == {"Martha Davis"}
    assert names(question=which.id, answer="asl") == {"Jackie Smith"}
    assert names(status="cancelled") == set()
    assert names(payment="none") == {"Martha Davis", "Jackie Smith"}
    assert names(checked_in="yes") == set() and names(checked_in="no") == {"Martha Davis", "Jackie Smith"}


def test_csv_export_streams_every_row_with_answers(client, db, organiser, event, login_as, questions):
    org = questions[2]
    category = make_category(event)
    no = {questions[0].id: "No"}
    make_registration(event, category, first_name="=HYPERLINK", answers={org.id: "Pittsburgh Human Relations Commission", **no})
    for i in range(5):
        make_registration(event, category, answers=no)
    db.session.commit()
    login_as(organiser)
    response = client.get(f"/manage/{event.slug}/registrations/export.csv")
    assert response.is_streamed and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert len(rows) == 7 and rows[0][-1] == "Organisation"
    assert any(r[-1] == "Pittsburgh Human Relations Commission" for r in rows)
    assert any(r[2] == "'=HYPERLINK" for r in rows)  # no spreadsheet formulas from people's input


def test_approve_reject_and_cancel_from_the_detail_page(client, db, organiser, event, login_as, mail):
    category = make_category(event, requires_approval=True)
    a = make_registration(event, category)
    b = make_registration(event, category)
    db.session.commit()
    login_as(organiser)
    base = f"/manage/{event.slug}/registrations"
    page = client.get(f"{base}/{a.id}").get_data(as_text=True)
    assert "Approve or reject" in page and "Placed" in page
    client.post(f"{base}/{a.id}/approve", data={"message": "Welcome!"})
    client.post(f"{base}/{b.id}/reject", data={"message": "Sorry"})
    assert (a.status, b.status) == (RegistrationStatus.CONFIRMED, RegistrationStatus.REJECTED)
    client.post(f"{base}/{a.id}/cancel", data={"refund": "none", "reason": "asked by phone"})
    assert a.status == RegistrationStatus.CANCELLED
    history = client.get(f"{base}/{a.id}").get_data(as_text=True)
    assert "Approved" in history and "Cancelled" in history


def test_setup_pages_create_what_they_say(client, db, organiser, event, login_as):
    login_as(organiser)
    s = event.slug
    r = client.post(f"/manage/{s}/registration/categories/new", data={
        "name": "Community member", "price_kind": "pay_what_you_can", "minimum": "0", "suggested": "25", "maximum": "100",
        "capacity": "40", "visibility": "public", "allows_waiver": "y", "is_active": "y"})
    assert r.status_code == 302
    cat = db.session.scalar(select(RegistrationCategory).where(RegistrationCategory.event_id == event.id))
    assert (cat.price_kind, cat.min_minor, cat.suggested_minor, cat.max_minor, cat.capacity) == ("pay_what_you_can", 0, 2500, 10000, 40)
    bad = client.post(f"/manage/{s}/registration/categories/new", data={"name": "X", "price_kind": "fixed", "price": "", "visibility": "public"})
    assert bad.status_code == 422 and "Enter the fee" in bad.get_data(as_text=True)
    client.post(f"/manage/{s}/registration/questions/builtin/dietary", data={"enabled": "1"})
    parent = db.session.scalar(select(Question).where(Question.event_id == event.id, Question.builtin_key == "dietary"))
    client.post(f"/manage/{s}/registration/questions/new", data={"label": "Details", "kind": "long_text",
                                                                  "condition_question_id": str(parent.id), "condition_value": "Vegan"})
    child = db.session.scalar(select(Question).where(Question.event_id == event.id, Question.label == "Details"))
    assert child.condition_question_id == parent.id
    client.post(f"/manage/{s}/registration/codes", data={"kind": "discount", "discount-code": "ally10", "discount-kind": "percent", "discount-percent": "10"})
    assert db.session.scalar(select(DiscountCode.code).where(DiscountCode.event_id == event.id)) == "ALLY10"
    client.post(f"/manage/{s}/registration/codes", data={"kind": "access", "access-code": "speakers2016", "access-category_ids": str(cat.id)})
    assert db.session.scalar(select(AccessCode.category_ids).where(AccessCode.event_id == event.id)) == [cat.id]
    client.post(f"/manage/{s}/registration/settings", data={"hold_minutes": "20", "max_per_order": "5", "currency": "USD",
                                                             "refund_policy": "none", "offer_hours": "24", "waitlist_enabled": "y"})
    settings = db.session.scalar(select(RegistrationSettings).where(RegistrationSettings.event_id == event.id))
    assert (settings.hold_minutes, settings.refund_policy, settings.card_enabled) == (20, "none", False)


def test_manual_add_respects_capacity_and_one_per_email(client, db, organiser, event, login_as):
    category = make_category(event)
    make_registration(event, category, email="taken@example.org")
    db.session.commit()
    login_as(organiser)
    r = client.post(f"/manage/{event.slug}/registrations/new", data={"category_id": category.id, "first_name": "A",
                                                                     "email": "taken@example.org", "payment_method": "none"})
    assert r.status_code == 422 and "already has a registration" in r.get_data(as_text=True)


def test_waitlist_page_offers_by_hand(client, db, organiser, login_as):
    from tests.factories import make_event

    event = make_event(organiser=organiser, capacity=2)
    make_registration(event, make_category(event))
    entry = join_waitlist(event, name="Rosa", email="rosa@example.org", now=event.created_at)
    db.session.commit()
    login_as(organiser)
    assert "Rosa" in client.get(f"/manage/{event.slug}/waitlist").get_data(as_text=True)
    client.post(f"/manage/{event.slug}/waitlist/{entry.id}/offer")
    assert db.session.get(WaitlistEntry, entry.id).status == "offered"


def test_copy_hook_copies_categories_questions_and_settings(db, organiser, event, questions):
    from datetime import timedelta

    from confapp.events.services import copy_event

    make_category(event, name="Speaker", visibility="hidden")
    db.session.add(RegistrationSettings(event_id=event.id, hold_minutes=15))
    db.session.flush()
    new = copy_event(event, title="Next edition", starts_at=event.starts_at + timedelta(days=365), actor=organiser)
    names = db.session.scalars(select(RegistrationCategory.name).where(RegistrationCategory.event_id == new.id)).all()
    copied = {q.label: q for q in db.session.scalars(select(Question).where(Question.event_id == new.id))}
    assert names == ["Speaker"] and set(copied) == {"Do you need interpretation?", "Which language?", "Organisation"}
    assert copied["Which language?"].condition_question_id == copied["Do you need interpretation?"].id
    assert db.session.scalar(select(RegistrationSettings.hold_minutes).where(RegistrationSettings.event_id == new.id)) == 15
