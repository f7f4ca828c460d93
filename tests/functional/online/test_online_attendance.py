"""Online and hybrid convenings through HTTP (issue 15): independent capacities, the reveal of
join details on the ticket page with a fixed clock, personal join links counted once, revoked
and tampered links refused, marking by hand and the figures."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from confapp.errors import SoldOut
from confapp.online.access import join_token
from confapp.online.models import OnlineAttendance
from confapp.registration.links import ticket_token
from tests.factories import make_registration
from tests.support.clock import TEST_NOW

from .conftest import ACCESS_CODE, MEETING_URL


def _ticket(client, event, registration):
    return client.get(f"/e/{event.slug}/ticket/{ticket_token(registration)}")


def _attendances(db, registration):
    return db.session.scalar(select(func.count()).select_from(OnlineAttendance)
                             .where(OnlineAttendance.registration_id == registration.id))


def test_online_and_in_person_places_are_limited_independently(hybrid, now):
    # The venue holds 2 (the event's capacity); the online category 3, which the venue does not count.
    for _ in range(2):
        make_registration(hybrid.event, hybrid.in_person, send_email=False)
    with pytest.raises(SoldOut):
        make_registration(hybrid.event, hybrid.in_person, send_email=False)
    for _ in range(3):
        make_registration(hybrid.event, hybrid.online, send_email=False)
    with pytest.raises(SoldOut):
        make_registration(hybrid.event, hybrid.online, send_email=False)
    from confapp.registration.capacity import places_left

    event_free, per_category = places_left(hybrid.event, now=now)
    assert event_free == 0 and per_category[hybrid.online.id] == 0 and per_category[hybrid.in_person.id] == 0


def test_online_places_stay_free_when_the_venue_is_full(hybrid, now):
    for _ in range(2):
        make_registration(hybrid.event, hybrid.in_person, send_email=False)
    from confapp.registration.capacity import places_left

    _, per_category = places_left(hybrid.event, now=now)
    assert per_category[hybrid.online.id] == 3
    assert make_registration(hybrid.event, hybrid.online, send_email=False).status == "confirmed"


def test_ticket_page_shows_when_the_link_appears_then_the_link(client, hybrid):
    attendee = make_registration(hybrid.event, hybrid.online, send_email=False)
    page = _ticket(client, hybrid.event, attendee).get_data(as_text=True)
    # The first session starts in 20 minutes and reveals 30 minutes before: open now.
    soon_token = join_token(attendee, hybrid.soon.id, generation=0)
    later_token = join_token(attendee, hybrid.later.id, generation=0)
    assert f"/j/{soon_token}" in page
    assert ACCESS_CODE in page
    # The second is two days away: only when its link will appear.
    assert f"/j/{later_token}" not in page
    assert "Your join link will appear here at" in page
    assert MEETING_URL not in page


def test_before_the_reveal_time_the_ticket_page_has_no_link_and_no_code(client, hybrid, clock_at):
    attendee = make_registration(hybrid.event, hybrid.online, send_email=False)
    clock_at(TEST_NOW - timedelta(hours=1))
    page = _ticket(client, hybrid.event, attendee).get_data(as_text=True)
    assert "/j/" not in page and ACCESS_CODE not in page and MEETING_URL not in page
    assert page.count("Your join link will appear here at") == 2
    # 30 minutes before the first session (10:20 New York time at 12:20 UTC... minus 30: 9:50 local).
    clock_at(hybrid.soon.starts_at - timedelta(minutes=30))
    page = _ticket(client, hybrid.event, attendee).get_data(as_text=True)
    assert f"/j/{join_token(attendee, hybrid.soon.id, generation=0)}" in page and ACCESS_CODE in page


def test_in_person_attendees_see_no_join_details_unless_the_organiser_allows(client, hybrid, db):
    attendee = make_registration(hybrid.event, hybrid.in_person, send_email=False)
    page = _ticket(client, hybrid.event, attendee).get_data(as_text=True)
    assert "/j/" not in page and ACCESS_CODE not in page
    hybrid.details.in_person_may_join = True
    db.session.commit()
    assert ACCESS_CODE in _ticket(client, hybrid.event, attendee).get_data(as_text=True)


def test_unconfirmed_online_attendees_see_no_join_details(client, hybrid):
    attendee = make_registration(hybrid.event, hybrid.online, send_email=False, status="pending_approval")
    page = _ticket(client, hybrid.event, attendee).get_data(as_text=True)
    assert "/j/" not in page and ACCESS_CODE not in page


def test_join_link_shows_whose_it_is_then_records_attendance_once(client, hybrid, db):
    attendee = make_registration(hybrid.event, hybrid.online, first_name="Amara", last_name="Okafor", send_email=False)
    url = f"/j/{join_token(attendee, hybrid.soon.id, generation=0)}"
    page = client.get(url)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Amara Okafor" in text and MEETING_URL not in text
    assert page.headers["Cache-Control"] == "private, no-store"
    assert _attendances(db, attendee) == 0  # a GET records nothing (previews, link scanners)
    for _ in range(2):
        answer = client.post(url)
        assert answer.status_code == 200
        assert f'content="0;url={MEETING_URL}"'.replace("&", "&amp;") in answer.get_data(as_text=True)
    assert _attendances(db, attendee) == 1


def test_join_link_before_the_reveal_time_gives_nothing_away(client, hybrid, db):
    attendee = make_registration(hybrid.event, hybrid.online, send_email=False)
    url = f"/j/{join_token(attendee, hybrid.later.id, generation=0)}"
    page = client.get(url).get_data(as_text=True)
    assert "The meeting opens here at" in page and MEETING_URL not in page
    answer = client.post(url)
    assert answer.status_code == 409 and MEETING_URL not in answer.get_data(as_text=True)
    assert _attendances(db, attendee) == 0


@pytest.mark.parametrize("mangle", [lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"), lambda t: "x" + t,
                                    lambda t: "not-a-token"])
def test_tampered_join_links_are_refused_with_a_clear_page(client, hybrid, mangle):
    attendee = make_registration(hybrid.event, hybrid.online, send_email=False)
    answer = client.get(f"/j/{mangle(join_token(attendee, hybrid.soon.id, generation=0))}")
    assert answer.status_code == 404
    assert "This join link is not valid" in answer.get_data(as_text=True)


def test_another_attendees_id_in_a_token_signed_by_someone_else_is_refused(client, hybrid, app):
    from itsdangerous import URLSafeSerializer

    victim = make_registration(hybrid.event, hybrid.online, send_email=False)
    forged = URLSafeSerializer("guessed-secret", salt="online-join").dumps([victim.id, hybrid.soon.id, 0])
    assert client.get(f"/j/{forged}").status_code == 404


def test_a_revoked_link_is_refused_and_the_ticket_page_shows_a_new_one(client, hybrid, login_as, db):
    attendee = make_registration(hybrid.event, hybrid.online, send_email=False)
    old = f"/j/{join_token(attendee, hybrid.soon.id, generation=0)}"
    login_as(hybrid.organiser)
    assert client.post(f"/manage/{hybrid.event.slug}/online/registrations/{attendee.id}/revoke").status_code == 302
    client.post("/account/logout")
    answer = client.get(old)
    assert answer.status_code == 410 and "withdrawn" in answer.get_data(as_text=True)
    assert client.post(old).status_code == 410
    assert _attendances(db, attendee) == 0
    page = _ticket(client, hybrid.event, attendee).get_data(as_text=True)
    new = f"/j/{join_token(attendee, hybrid.soon.id, generation=1)}"
    assert new in page and old not in page
    assert client.get(new).status_code == 200


def test_a_cancelled_attendees_link_no_longer_opens(client, hybrid, db):
    attendee = make_registration(hybrid.event, hybrid.online, send_email=False)
    url = f"/j/{join_token(attendee, hybrid.soon.id, generation=0)}"
    attendee.status = "cancelled"
    db.session.commit()
    answer = client.get(url)
    assert answer.status_code == 403 and MEETING_URL not in answer.get_data(as_text=True)


def test_organiser_marks_a_phone_participant_and_the_figures_count_online_attendance(client, hybrid, login_as, db):
    from confapp.online.queries import online_figures
    from confapp.reports.queries import live_figures

    by_link = make_registration(hybrid.event, hybrid.online, send_email=False)
    by_phone = make_registration(hybrid.event, hybrid.online, send_email=False, first_name="Phone")
    client.post(f"/j/{join_token(by_link, hybrid.soon.id, generation=0)}")
    login_as(hybrid.organiser)
    slug = hybrid.event.slug
    for _ in range(2):  # a second click on "Mark" changes nothing
        assert client.post(f"/manage/{slug}/online/attendance",
                           data={"registration_id": by_phone.id, "target": str(hybrid.later.id)}).status_code == 302
    figures = online_figures(hybrid.event)
    assert (figures.online_registered, figures.joined) == (2, 2)
    assert figures.by_session == {hybrid.soon.id: 1, hybrid.later.id: 1}
    report = live_figures(hybrid.event)
    assert report["online"]["registered"] == 2 and report["online"]["attended"] == 2
    assert {row["id"]: row["online"] for row in report["sessions"]}[hybrid.soon.id] == 1
    overview = client.get(f"/manage/{slug}/online/").get_data(as_text=True)
    assert "marked by hand" in overview and "Phone" in overview
    dashboard = client.get(f"/manage/{slug}/checkin/dashboard")
    assert dashboard.status_code == 200


def test_organiser_sets_modes_and_join_details_through_the_forms(client, hybrid, login_as, db):
    login_as(hybrid.organiser)
    slug = hybrid.event.slug
    assert client.get(f"/manage/{slug}/online/modes").status_code == 200
    answer = client.post(f"/manage/{slug}/online/modes", data={
        "mode": "hybrid", f"category_{hybrid.in_person.id}": "in_person", f"category_{hybrid.online.id}": "online",
        f"session_{hybrid.soon.id}": "online", f"session_{hybrid.later.id}": "room"})
    assert answer.status_code == 302
    db.session.refresh(hybrid.later)
    assert hybrid.later.delivery == "room"
    # An in-person event cannot keep online places.
    refused = client.post(f"/manage/{slug}/online/modes", data={
        "mode": "in_person", f"category_{hybrid.in_person.id}": "in_person", f"category_{hybrid.online.id}": "online",
        f"session_{hybrid.soon.id}": "", f"session_{hybrid.later.id}": ""})
    assert refused.status_code == 422 and "cannot have online places" in refused.get_data(as_text=True)
    assert client.get(f"/manage/{slug}/online/join/{hybrid.soon.id}").status_code == 200
    bad = client.post(f"/manage/{slug}/online/join/{hybrid.soon.id}", data={"meeting_url": "javascript:alert(1)",
                                                                           "reveal_minutes": "0"})
    assert bad.status_code == 422
    good = client.post(f"/manage/{slug}/online/join/{hybrid.soon.id}", data={
        "meeting_url": "https://jitsi.example.org/session-own", "reveal_minutes": "0"})
    assert good.status_code == 302
    from confapp.online.access import join_targets

    targets = {t.session_id: t.details.meeting_url for t in join_targets(hybrid.event)}
    assert targets == {hybrid.soon.id: "https://jitsi.example.org/session-own"}  # "later" is room only now


def test_staff_see_the_join_details_but_cannot_mark_or_revoke(client, hybrid, login_as, db):
    from confapp.accounts.models import Role
    from tests.factories import grant, make_user

    staff = make_user()
    grant(hybrid.event, staff, Role.CHECKIN_STAFF)
    attendee = make_registration(hybrid.event, hybrid.online, send_email=False)
    login_as(staff)
    slug = hybrid.event.slug
    overview = client.get(f"/manage/{slug}/online/")
    assert overview.status_code == 200 and ACCESS_CODE in overview.get_data(as_text=True)
    assert client.post(f"/manage/{slug}/online/attendance",
                       data={"registration_id": attendee.id, "target": str(hybrid.soon.id)}).status_code == 403
    assert client.post(f"/manage/{slug}/online/registrations/{attendee.id}/revoke").status_code == 403
    assert client.get(f"/manage/{slug}/online/modes").status_code == 403


def test_a_new_edition_keeps_the_attendance_modes_but_not_the_join_details(hybrid, db):
    from confapp.events.services import copy_event
    from confapp.program.models import ProgramSession, SessionDelivery
    from confapp.registration.models import RegistrationCategory
    from confapp.online.access import join_targets

    hybrid.soon.delivery = SessionDelivery.ONLINE
    db.session.flush()
    new = copy_event(hybrid.event, title="Next town hall", starts_at=hybrid.event.starts_at + timedelta(days=28),
                     actor=hybrid.organiser)
    assert new.attendance_mode == "hybrid"
    kinds = {c.name: c.attendance_mode for c in db.session.scalars(select(RegistrationCategory).where(
        RegistrationCategory.event_id == new.id))}
    assert kinds == {"In the hall": "in_person", "Online": "online"}
    deliveries = {s.title: s.delivery for s in db.session.scalars(select(ProgramSession).where(ProgramSession.event_id == new.id))}
    assert deliveries == {"Opening town hall": "online", "UPR follow-up": None}
    assert join_targets(new) == []


def test_the_online_attendee_list_is_paged_by_name(client, hybrid, login_as, db):
    from confapp.online import queries

    hybrid.online.capacity = None
    for i in range(queries.PAGE_SIZE + 3):
        make_registration(hybrid.event, hybrid.online, first_name="Online", last_name=f"Person{i:03d}", send_email=False)
    in_person = make_registration(hybrid.event, hybrid.in_person, first_name="Hall", last_name="Zzjoined", send_email=False)
    login_as(hybrid.organiser)
    slug = hybrid.event.slug
    assert client.post(f"/manage/{slug}/online/attendance",
                       data={"registration_id": in_person.id, "target": str(hybrid.soon.id)}).status_code == 302
    first = client.get(f"/manage/{slug}/online/").get_data(as_text=True)
    assert "Person000" in first and f"Person{queries.PAGE_SIZE - 1:03d}" in first
    assert f"Person{queries.PAGE_SIZE:03d}" not in first and "Page 1 of 2" in first
    second = client.get(f"/manage/{slug}/online/?page=2").get_data(as_text=True)
    assert f"Person{queries.PAGE_SIZE:03d}" in second and "Person000" not in second
    # An in-person attendee marked as attended online is listed too (last by name).
    assert "Zzjoined" in second and "marked by hand" in second
    # A page past the end shows the last page.
    assert "Zzjoined" in client.get(f"/manage/{slug}/online/?page=99").get_data(as_text=True)


def test_the_category_form_chooses_in_person_or_online_places(client, hybrid, login_as, db):
    from confapp.events.models import AttendanceMode
    from confapp.registration.models import RegistrationCategory

    login_as(hybrid.organiser)
    slug = hybrid.event.slug
    base = {"name": "Remote partners", "price_kind": "free", "visibility": "public", "is_active": "y", "position": "3"}
    page = client.get(f"/manage/{slug}/registration/categories/{hybrid.online.id}").get_data(as_text=True)
    assert "Kind of place" in page and '<option selected value="online">' in page
    assert client.post(f"/manage/{slug}/registration/categories/new",
                       data=dict(base, attendance_mode="online")).status_code == 302
    made = db.session.scalar(select(RegistrationCategory).where(RegistrationCategory.name == "Remote partners"))
    assert made.attendance_mode == "online"
    # Saving the form without the field (an older client) keeps the kind.
    assert client.post(f"/manage/{slug}/registration/categories/{made.id}", data=base).status_code == 302
    db.session.refresh(made)
    assert made.attendance_mode == "online"
    # An in-person event takes no online places.
    hybrid.event.attendance_mode = AttendanceMode.IN_PERSON
    db.session.commit()
    refused = client.post(f"/manage/{slug}/registration/categories/new", data=dict(base, name="More remote",
                                                                                   attendance_mode="online"))
    assert refused.status_code == 422 and "An in-person event cannot have online places" in refused.get_data(as_text=True)
