"""Organiser email pages through the test client: access per route x role, the composer,
send, progress JSON, preview, person log, reminders, and fixed query counts."""
import re

from sqlalchemy import select

from confapp.extensions import db as database
from confapp.outreach import services, unsubscribe
from confapp.outreach.models import Delivery, Message, ReminderRule
from confapp.outreach.services import MessageDraft
from confapp.types import utcnow
from tests.support.access import LOGIN_REDIRECT, access_world, assert_access, everyone, organisers_only
from tests.support.outreach import add_category, add_registration, build_people
from tests.support.queries import count_queries


def test_email_routes_by_role(client, db):
    world = access_world()
    slug = world.event.slug
    category = add_category(world.event, "General")
    registration = add_registration(world.event, "ann@example.org", "Ann", "Lee", category=category)
    organiser = world.users["organiser"]
    draft = services.create_message(world.event, MessageDraft("Hi {{ first_name }}", "Body"), actor=organiser, now=utcnow())
    sent = services.create_message(world.event, MessageDraft("Sent", "Body"), actor=organiser, now=utcnow())
    services.send_message(sent, actor=organiser, now=utcnow())
    database.session.commit()
    delivery_id = database.session.scalar(select(Delivery.id).where(Delivery.message_id == sent.id))
    token = unsubscribe.make_token(registration.email, world.event.id)
    compose = {"subject": "Hello", "body": "Hi {{ first_name }}", "match": "all", "action": "save"}
    reminder = {"name": "Soon", "offset_days": "-2", "anchor": "start", "at_time": "09:00", "subject": "S", "body": "B", "match": "all"}
    assert_access(client, db, world, [
        ("GET", f"/manage/{slug}/emails/", organisers_only(200)),
        ("GET", f"/manage/{slug}/emails/?kind=transactional", organisers_only(200)),
        ("GET", f"/manage/{slug}/emails/new", organisers_only(200)),
        ("POST", f"/manage/{slug}/emails/new", organisers_only(302), compose),
        ("GET", f"/manage/{slug}/emails/count?cond-0-choice=status:confirmed", organisers_only(200)),
        ("GET", f"/manage/{slug}/emails/{draft.id}", organisers_only(200)),
        ("GET", f"/manage/{slug}/emails/{draft.id}/edit", organisers_only(200)),
        ("POST", f"/manage/{slug}/emails/{draft.id}/edit", organisers_only(302), compose),
        ("GET", f"/manage/{slug}/emails/{draft.id}/preview", organisers_only(200)),
        ("GET", f"/manage/{slug}/emails/{sent.id}/progress.json", organisers_only(200)),
        ("POST", f"/manage/{slug}/emails/{draft.id}/test", organisers_only(302), {}),
        ("POST", f"/manage/{slug}/emails/{draft.id}/schedule", organisers_only(302), {"when": "2026-12-01T09:00"}),
        ("POST", f"/manage/{slug}/emails/{draft.id}/unschedule", organisers_only(302), {}),
        ("POST", f"/manage/{slug}/emails/{draft.id}/send", organisers_only(302), {}),
        ("POST", f"/manage/{slug}/emails/deliveries/{delivery_id}/resend", organisers_only(302), {}),
        ("POST", f"/manage/{slug}/emails/{sent.id}/newcomers", organisers_only(302), {}),
        ("GET", f"/manage/{slug}/emails/people?address=ann@example.org", organisers_only(200)),
        ("GET", f"/manage/{slug}/emails/reminders", organisers_only(200)),
        ("POST", f"/manage/{slug}/emails/reminders", organisers_only(302), reminder),
        ("GET", f"/manage/{slug}/emails/999999", organisers_only(404)),
        ("GET", "/manage/no-such-event/emails/", {**organisers_only(404), "anonymous": LOGIN_REDIRECT,
                                                  "no_role": 404, "staff": 404, "other_organiser": 404}),
        ("GET", f"/unsubscribe/{token}", everyone(200)),
        ("POST", f"/unsubscribe/{token}", everyone(200), {}),
        ("GET", "/unsubscribe/not-a-token", everyone(404)),
    ])


def test_messages_of_another_event_are_404(client, db, login_as):
    people = build_people()
    other = access_world()
    message = services.create_message(other.event, MessageDraft("Theirs", "x"), actor=other.users["organiser"], now=utcnow())
    database.session.commit()
    login_as(people.organiser)
    assert client.get(f"/manage/{people.event.slug}/emails/{message.id}").status_code == 404


def test_compose_count_preview_send_and_progress(client, people, login_as, mail):
    login_as(people.organiser)
    slug = people.event.slug
    page = client.get(f"/manage/{slug}/emails/new")
    assert page.status_code == 200 and b"{{ first_name }}" in page.data
    count = client.get(f"/manage/{slug}/emails/count?cond-0-choice=status:confirmed&cond-1-choice=answer:{people.interpretation.id}"
                       f"&cond-1-answer=Spanish&match=all").get_json()
    assert count["count"] == 2 and count["sample"] == ["Ana Alves", "Cai Chen"]
    # "Update the count" without JavaScript re-renders the form and saves nothing.
    no_js = client.post(f"/manage/{slug}/emails/new", data={"subject": "S", "body": "B", "match": "all", "action": "count",
                                                          "cond-0-choice": "payment:waived"})
    assert no_js.status_code == 200 and b"Cai Chen" in no_js.data
    assert database.session.scalar(select(Message.id)) is None
    # An unknown merge field is shown in the composer, and nothing is saved.
    bad = client.post(f"/manage/{slug}/emails/new", data={"subject": "Hi {{ nickname }}", "body": "B", "match": "all",
                                                        "action": "save"})
    assert bad.status_code == 200 and b"Unknown merge field: nickname" in bad.data
    saved = client.post(f"/manage/{slug}/emails/new", data={
        "subject": "Interpretation for {{ first_name }}", "body": "Dear {{ full_name }}, you chose {{ answers.interpretation }}.",
        "match": "all", "action": "save", "cond-0-choice": "status:confirmed",
        "cond-1-choice": f"answer:{people.interpretation.id}", "cond-1-answer": "Spanish"})
    assert saved.status_code == 302
    message = database.session.scalars(select(Message)).one()
    assert message.segment == {"and": [{"status": ["confirmed"]}, {"answer": {"question": str(people.interpretation.id), "value": "Spanish"}}]}
    preview = client.get(f"/manage/{slug}/emails/{message.id}/preview?address=cai@example.org")
    assert b"Interpretation for Cai" in preview.data and b"you chose Spanish" in preview.data
    outsider = client.get(f"/manage/{slug}/emails/{message.id}/preview?address=ben@example.org")
    assert b"not in this segment" in outsider.data
    assert client.post(f"/manage/{slug}/emails/{message.id}/send").status_code == 302
    assert len(mail.wait_for(2)) == 2
    progress = client.get(f"/manage/{slug}/emails/{message.id}/progress.json").get_json()
    assert progress["sent"] == 2 and progress["finished"] and progress["status"] == "sent"
    page = client.get(f"/manage/{slug}/emails/{message.id}")
    assert re.search(rb'<progress id="delivery-progress" max="2" value="2"', page.data)
    # Sending twice is refused: nobody gets it twice.
    client.post(f"/manage/{slug}/emails/{message.id}/send")
    assert len(mail.messages) == 2
    log = client.get(f"/manage/{slug}/emails/people?address=ana@example.org")
    assert b"Interpretation for {{ first_name }}" in log.data


def test_history_runs_a_fixed_number_of_queries(client, people, login_as):
    login_as(people.organiser)
    for n in range(3):
        message = services.create_message(people.event, MessageDraft(f"M{n}", "x", {"status": ["confirmed"]}),
                                          actor=people.organiser, now=utcnow())
        services.send_message(message, actor=people.organiser, now=utcnow())
    database.session.commit()
    few = _queries(client, f"/manage/{people.event.slug}/emails/")
    for n in range(6):
        message = services.create_message(people.event, MessageDraft(f"N{n}", "x"), actor=people.organiser, now=utcnow())
        services.send_message(message, actor=people.organiser, now=utcnow())
    database.session.commit()
    many = _queries(client, f"/manage/{people.event.slug}/emails/")
    assert many == few


def test_reminder_rules_page_creates_and_lists(client, people, login_as):
    login_as(people.organiser)
    response = client.post(f"/manage/{people.event.slug}/emails/reminders", data={
        "name": "Two days before", "offset_days": "-2", "anchor": "start", "at_time": "09:00",
        "subject": "See you, {{ first_name }}", "body": "Doors open at 9.", "match": "all", "cond-0-choice": "status:confirmed"})
    assert response.status_code == 302
    rule = database.session.scalars(select(ReminderRule)).one()
    assert rule.segment == {"status": ["confirmed"]}
    page = client.get(f"/manage/{people.event.slug}/emails/reminders")
    assert b"2 days before start at 09:00 event time" in page.data and b"3 Dec 2026, 09:00" in page.data


def _queries(client, url) -> int:
    with count_queries(database.session.get_bind(), ignore_savepoints=False) as counter:
        assert client.get(url).status_code == 200
    return counter.count


def test_the_composer_offers_a_language_condition_and_keeps_it(client, people, login_as):
    people.registrations["cai"].language = "es"
    database.session.commit()
    login_as(people.organiser)
    slug = people.event.slug
    page = client.get(f"/manage/{slug}/emails/new").get_data(as_text=True)
    assert '<option value="language:es">Spanish</option>' in page
    count = client.get(f"/manage/{slug}/emails/count?cond-0-choice=language:es&match=all").get_json()
    assert count["count"] == 1 and count["sample"] == ["Cai Chen"]
    saved = client.post(f"/manage/{slug}/emails/new", data={
        "subject": "Hola", "body": "B", "match": "all", "action": "save", "cond-0-choice": "language:es"})
    assert saved.status_code == 302
    message = database.session.scalars(select(Message)).one()
    assert message.segment == {"language": ["es"]}
    edit = client.get(f"/manage/{slug}/emails/{message.id}/edit").get_data(as_text=True)
    assert '<option value="language:es" selected>Spanish</option>' in edit


def test_the_mail_log_flags_a_delivery_left_in_doubt_so_the_organiser_can_resend_it(client, people, login_as, mail):
    """A worker killed at the point of no return leaves a delivery sent-but-unconfirmed
    (confapp/outreach/delivery.py): the person's mail log says so next to the Resend button."""
    login_as(people.organiser)
    message = services.create_message(people.event, MessageDraft("Agenda", "x", {"status": ["confirmed"]}),
                                      actor=people.organiser, now=utcnow())
    services.send_message(message, actor=people.organiser, now=utcnow())
    database.session.commit()
    mail.wait_for(1)
    delivery = database.session.scalars(select(Delivery).where(Delivery.message_id == message.id,
                                                               Delivery.address == "ana@example.org")).one()
    delivery.unconfirmed = True
    database.session.commit()
    log = client.get(f"/manage/{people.event.slug}/emails/people?address=ana@example.org")
    assert b"Not confirmed: the sending stopped" in log.data and b"Resend" in log.data
