"""The routes the domain access tables left out (test_route_coverage.py lists them): account form
posts, personal links (ticket, order, agenda, speaker, survey, waitlist offer), volunteer links'
desk API and the organiser's edit forms. A personal or volunteer link acts by its own secret,
whoever is logged in: every role gets the same answer; organiser pages keep their usual table."""
from datetime import timedelta
from urllib.parse import urlsplit

import pytest

from confapp.accounts import services as account_services
from confapp.checkin import services as checkin
from confapp.outreach import reminders
from confapp.payments import links as payment_links
from confapp.payments import services as payments
from confapp.program import tokens as program_tokens
from confapp.program.speakers import assign_speaker
from confapp.registration import links
from confapp.registration.models import DiscountCode, Question, QuestionKind
from confapp.reports import feedback
from confapp.types import utcnow
from tests.factories import make_category, make_registration, make_room, make_session, make_speaker, make_track
from tests.support.access import NO_ROLE, ORGANISER, access_world, assert_access, everyone, expect, organisers_only
from tests.support.payment_orders import enable_offline_methods, make_card_order, make_paid_category

JSON = {"Accept": "application/json", "Content-Type": "application/json"}
# The login, sign-up and reset forms: a visitor gets the form back (wrong details), an account is
# sent on (already logged in).
LOGGED_OUT_FORM = expect(200, 302, 302, 302, 302, 302)


def _path(url: str) -> str:
    return urlsplit(url).path


@pytest.fixture
def world(db):
    world = access_world()
    event, organiser = world.event, world.users[ORGANISER]
    now = utcnow()
    world.reg = make_registration(event, make_category(event, name="Community member"), first_name="Amara",
                                  email="amara@example.org")
    world.list = checkin.main_list(event, actor=organiser, now=now)
    _link, world.token = checkin.create_volunteer_link(world.list, name="Door 2", valid_from=now - timedelta(hours=1),
                                                       valid_until=now + timedelta(hours=4), actor=organiser, now=now)
    db.session.commit()
    return world


def test_account_form_posts_by_role(client, db, world):
    reset = account_services.make_password_reset_token(world.users[NO_ROLE])
    assert_access(client, db, world, [
        ("POST", "/account/login", LOGGED_OUT_FORM, {"email": "nobody@example.org", "password": "not-the-password"}),
        ("POST", "/account/signup", LOGGED_OUT_FORM, {"name": "New Person", "email": "new.person@example.org"}),
        # Reset requests answer alike for every address and every visitor.
        ("POST", "/account/password-reset", everyone(200), {"email": "nobody@example.org"}),
        ("POST", f"/account/password-reset/{reset}", everyone(200), {"password": "long-enough-1", "confirm": "different-2"}),
        ("GET", "/static/css/app.css", everyone(200)),
    ])


def test_volunteer_link_desk_api_by_role(client, db, world):
    """A volunteer link works the desk by its token alone: a session on top changes nothing."""
    token, code, list_id = world.token, world.reg.ticket_code, world.list.id
    badge = {"registration_id": str(world.reg.id)}  # a form post: the desk opens the PDF in a new tab
    api = f"/checkin/api/links/{token}"
    assert_access(client, db, world, [
        ("GET", f"/checkin/v/{token}", everyone(200)),
        ("GET", f"/checkin/v/{token}x", everyone(404)),
        ("GET", f"{api}/search?q=Amara", everyone(200)),
        ("GET", f"{api}/stats", everyone(200)),
        ("GET", f"{api}/offline", everyone(200)),
        ("POST", f"{api}/redeem", everyone(200), {"code": code}),
        ("POST", f"{api}/undo", everyone(422), {"check_in_id": 0}),
        ("POST", f"{api}/sync", everyone(200), {"scans": []}),
        ("POST", f"{api}/walkin", everyone(422), {"first_name": ""}),
        ("POST", f"{api}/pay", everyone(422), {"registration_id": world.reg.id, "amount": "x", "how": "cash"}),
        ("POST", f"{api}x/redeem", everyone(404), {"code": code}),
    ], headers=JSON)
    assert_access(client, db, world, [
        ("POST", f"/checkin/v/{token}/badge", everyone(200), badge),
        # Desk endpoints answer 401 rather than a login redirect: a script, not a person, reads them.
        ("POST", f"/checkin/desk/{list_id}/badge", expect(401, 403, 200, 403, 200, 200), badge),
    ])


def test_personal_links_by_role(client, db, world):
    """Ticket, order, agenda and survey pages open with their signed link, whoever is logged in."""
    event, reg = world.event, world.reg
    slug = event.slug
    ticket = _path(links.self_service_url(reg, event))
    order = _path(links.order_url(reg.order, event))
    agenda = f"/e/{slug}/my-agenda/{program_tokens.attendee_token(reg)}"
    survey = f"/e/{slug}/survey/{feedback.survey_token(reg)}"
    enable_offline_methods(event)
    paid = make_card_order(event, make_paid_category(event, price_minor=2500), now=utcnow(), payment_method="invoice")
    payments.mark_paid_offline(paid, method="invoice", actor=world.users[ORGANISER], now=utcnow())
    receipt_pdf = _path(payment_links.receipt_pdf_url(paid, event))
    assert_access(client, db, world, [
        ("GET", ticket, everyone(200)),
        ("POST", ticket, everyone(422), {}),  # the answers form, with its errors
        ("GET", f"{ticket}/event.ics", everyone(200)),
        ("POST", f"{ticket}/language", everyone(302), {"language": "es"}),  # the link is the key
        ("POST", f"{ticket}/cancel", everyone(302), {"confirm": "y"}),
        ("GET", order, everyone(200)),
        ("POST", f"{order}/pay-another-way", everyone(400), {"method": "invoice"}),  # not offered here
        ("GET", f"{order}/pay", everyone(200)),
        ("POST", f"{order}/pay", everyone(409), {}),  # a free order: nothing to pay
        ("GET", f"{order}/payment/cancelled", everyone(200)),
        ("POST", f"{order}/payment/abandon", everyone(409), {}),
        ("GET", f"{agenda}/", everyone(200)),
        ("GET", f"{agenda}.ics", everyone(200)),
        ("POST", f"{agenda}/sessions/no-such-session", everyone(404), {"action": "star"}),
        ("POST", survey, everyone(410), {}),  # the event has not happened yet
        ("GET", f"/e/{slug}/forgotten", everyone(200)),
        ("GET", receipt_pdf, everyone(200)),
    ])


def test_public_registration_posts_by_role(client, db, world):
    slug = world.event.slug
    assert_access(client, db, world, [
        ("POST", f"/e/{slug}/register", everyone(422), {}),
        ("POST", f"/e/{slug}/waitlist", everyone(422), {"name": "Wai Ting", "email": "wait@example.org"}),  # not full
        ("GET", f"/e/{slug}/waitlist/not-an-offer", everyone(410)),
    ])


def test_speaker_portal_by_role(client, db, world):
    event, organiser = world.event, world.users[ORGANISER]
    speaker = make_speaker(event, name="JoAnn Kamuf Ward", actor=organiser)
    session = make_session(event, title="Panel", publish=True, actor=organiser)
    link = assign_speaker(session, speaker, "panelist", actor=organiser, event=event)
    portal = f"/e/{event.slug}/speaker/{program_tokens.speaker_token(speaker)}"
    assert_access(client, db, world, [
        ("GET", f"{portal}/", everyone(200)),
        ("POST", f"{portal}/", everyone(200), {}),
        ("GET", f"{portal}/photo", everyone(404)),
        ("POST", f"{portal}/photo/remove", everyone(302), {}),
        ("POST", f"{portal}/sessions/{link.id}", everyone(302), {"answer": "confirmed"}),
        ("GET", f"/e/{event.slug}/speakers/{speaker.id}/photo", everyone(404)),
    ])


def test_organiser_edit_forms_by_role(client, db, world):
    event, organiser = world.event, world.users[ORGANISER]
    slug = event.slug
    room = make_room(event, name="Hall", actor=organiser)
    track = make_track(event, name="Cities", actor=organiser)
    session = make_session(event, title="Panel", actor=organiser)
    speaker = make_speaker(event, name="Risa Kaufman", actor=organiser)
    question = Question(event_id=event.id, kind=QuestionKind.SHORT_TEXT, label="Dietary needs", position=9)
    code = DiscountCode(event_id=event.id, code="EARLY", kind="percent", percent=10)
    db.session.add_all([question, code])
    db.session.flush()
    rule = reminders.create_rule(event, reminders.ReminderData(
        name="Two days before", offset_days=-2, anchor="start", at_time="09:00", subject="See you", body="Soon.",
        segment={"all": True}), actor=organiser, now=utcnow())
    category = world.reg.category
    base = f"/manage/{slug}/programme"
    assert_access(client, db, world, [
        ("POST", f"{base}/rooms/{room.id}", organisers_only(200), {}),
        ("POST", f"{base}/tracks/{track.id}", organisers_only(200), {}),
        ("POST", f"{base}/sessions/{session.id}", organisers_only(200), {}),
        ("POST", f"{base}/speakers/new", organisers_only(200), {}),
        ("POST", f"{base}/speakers/{speaker.id}", organisers_only(200), {}),
        ("GET", f"/manage/{slug}/registration/questions/{question.id}", organisers_only(200)),
        ("POST", f"/manage/{slug}/registration/questions/{question.id}", organisers_only(422), {}),  # errors shown
        ("POST", f"/manage/{slug}/registration/categories/{category.id}", organisers_only(422), {}),
        ("POST", f"/manage/{slug}/registration/codes/discount/{code.id}/toggle", organisers_only(302), {}),
        ("POST", f"/manage/{slug}/emails/reminders/{rule.id}/delete", organisers_only(302), {}),
    ])
