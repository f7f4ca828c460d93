"""The delivery engine against the real SMTP server (aiosmtpd), driven in-process with a
controllable clock. The real huey consumer process is exercised in tests/functional/outreach."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from confapp.audit.models import AuditEntry
from confapp.errors import NotAllowed, ValidationFailed
from confapp.extensions import db as database
from confapp.mail import queue_email
from confapp.outreach.event_mail import send_event_email
from confapp.outreach import delivery, services, unsubscribe
from confapp.outreach.models import Delivery, DeliveryState, Message, MessageKind, MessageStatus
from confapp.outreach.services import MessageDraft
from confapp.types import utcnow
from tests.factories import make_user
from tests.support.outreach import build_people
from tests.support.servers import free_port


@pytest.fixture
def people(db):
    return build_people()


def draft(segment=None, body="Hello {{ first_name }}, your language: {{ answers.interpretation }}."):
    return MessageDraft("News for {{ full_name }}", body, segment)


def states(message):
    rows = database.session.execute(select(Delivery.address, Delivery.state).where(Delivery.message_id == message.id))
    return {address.split("@")[0]: state.value for address, state in rows}


def test_send_now_delivers_each_recipient_once_with_their_own_content(people, mail):
    message = services.create_message(people.event, draft({"status": ["confirmed"]}), actor=people.organiser, now=utcnow())
    services.send_message(message, actor=people.organiser, now=utcnow())
    database.session.commit()  # the delivery job runs after commit (inline in unit tests)
    received = mail.wait_for(5)
    assert sorted(m.envelope_to[0] for m in received) == [f"{n}@example.org" for n in ("ana", "ben", "cai", "gus", "hal")]
    ana = mail.to("ana@example.org")[0]
    assert ana.subject == "News for Ana Alves"
    assert "Hello Ana, your language: Spanish." in ana.text and "Hello Ana" in ana.html
    assert ana.message["List-Unsubscribe"].startswith("<http") and ana.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert ana.message["Reply-To"] == "team@example.org"
    database.session.refresh(message)
    assert message.status == MessageStatus.SENT
    assert set(states(message).values()) == {"sent"}
    audit = database.session.scalars(select(AuditEntry).where(AuditEntry.action == "outreach.message_sent")).one()
    assert audit.details["queued"] == 5 and audit.target_id == str(message.id)


def test_only_organisers_may_send(people):
    with pytest.raises(NotAllowed):
        services.create_message(people.event, draft(), actor=make_user(), now=utcnow())
    message = services.create_message(people.event, draft(), actor=people.organiser, now=utcnow())
    from confapp.accounts.models import User

    staff = database.session.scalar(select(User).where(User.email == "chk@example.org"))
    with pytest.raises(NotAllowed):
        services.send_message(message, actor=staff, now=utcnow())


def test_an_empty_segment_cannot_be_sent(people):
    message = services.create_message(people.event, draft({"not": {"all": True}}), actor=people.organiser, now=utcnow())
    with pytest.raises(ValidationFailed):
        services.send_message(message, actor=people.organiser, now=utcnow())


def test_unsubscribed_people_are_skipped_and_counted(people, mail, client):
    token = unsubscribe.make_token("ben@example.org", people.event.id)
    response = client.post(f"/unsubscribe/{token}", data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    global_token = unsubscribe.make_token("cai@example.org", 999999)
    client.post(f"/unsubscribe/{global_token}", data={"scope": "all"})
    message = services.create_message(people.event, draft({"status": ["confirmed"]}), actor=people.organiser, now=utcnow())
    services.send_message(message, actor=people.organiser, now=utcnow())
    database.session.commit()
    mail.wait_for(3)
    assert states(message) == {"ana": "sent", "ben": "skipped", "cai": "skipped", "gus": "sent", "hal": "sent"}
    assert {d.skip_reason for d in database.session.scalars(select(Delivery).where(Delivery.state == DeliveryState.SKIPPED))} == {"unsubscribed"}
    assert mail.to("ben@example.org") == []


def test_a_bad_unsubscribe_token_is_a_404(client, db):
    assert client.get("/unsubscribe/forged").status_code == 404


def test_permanent_refusal_is_recorded_and_temporary_is_retried_with_backoff(people, mail, app):
    mail.refuse["ben@example.org"] = "550 5.1.1 No such user here"
    mail.refuse["cai@example.org"] = "451 4.3.0 Mailbox busy, try later"
    message = services.create_message(people.event, draft({"status": ["confirmed"]}), actor=people.organiser, now=utcnow())
    services.send_message(message, actor=people.organiser, now=utcnow())
    database.session.commit()
    mail.wait_for(3)
    ben, cai = (database.session.scalar(select(Delivery).where(Delivery.address == f"{n}@example.org", Delivery.message_id == message.id))
                for n in ("ben", "cai"))
    assert ben.state == DeliveryState.FAILED and ben.smtp_reply == "550 5.1.1 No such user here"
    assert cai.state == DeliveryState.QUEUED and cai.attempts == 1 and "451" in cai.smtp_reply
    first_retry = cai.next_attempt_at
    assert first_retry - utcnow() > timedelta(seconds=50)  # 60 s base
    # Not due yet: nothing happens.
    run = delivery.deliver(message.id, clock=lambda: first_retry - timedelta(seconds=1))
    assert run.sent == 0 and run.wake_at == first_retry
    # Due, still refused: the delay doubles.
    run = delivery.deliver(message.id, clock=lambda: first_retry)
    database.session.refresh(cai)
    assert run.deferred == 1 and cai.attempts == 2 and cai.next_attempt_at == first_retry + timedelta(seconds=120)
    # The server accepts now.
    del mail.refuse["cai@example.org"]
    run = delivery.deliver(message.id, clock=lambda: cai.next_attempt_at)
    assert run.sent == 1 and run.finished
    assert len(mail.to("cai@example.org")) == 1 and len(mail.to("ben@example.org")) == 0
    database.session.refresh(message)
    assert message.status == MessageStatus.SENT


def test_temporary_refusal_gives_up_after_the_last_attempt(people, mail, app):
    app.config["OUTREACH_MAX_ATTEMPTS"] = 2
    try:
        mail.refuse["ana@example.org"] = "452 4.2.2 Over quota"
        message = services.create_message(people.event, draft({"payment": ["paid"]}), actor=people.organiser, now=utcnow())
        services.send_message(message, actor=people.organiser, now=utcnow())
        database.session.commit()
        later = utcnow() + timedelta(hours=1)
        delivery.deliver(message.id, clock=lambda: later)
        ana = database.session.scalar(select(Delivery).where(Delivery.address == "ana@example.org", Delivery.message_id == message.id))
        assert ana.state == DeliveryState.FAILED and ana.smtp_reply.startswith("Gave up after 2 attempts: 452")
    finally:
        app.config.pop("OUTREACH_MAX_ATTEMPTS")


def test_smtp_server_down_loses_nothing(people, mail, app):
    state = app.extensions["mail"]
    real_port, state.port = state.port, free_port()  # nothing listens there
    try:
        message = services.create_message(people.event, draft({"status": ["confirmed"]}), actor=people.organiser, now=utcnow())
        services.send_message(message, actor=people.organiser, now=utcnow())
        database.session.commit()
        assert set(states(message).values()) == {"queued"}
        assert all(d.attempts == 0 for d in database.session.scalars(select(Delivery).where(Delivery.message_id == message.id)))
    finally:
        state.port = real_port
    run = delivery.deliver(message.id, clock=lambda: utcnow() + timedelta(minutes=2))
    assert run.sent == 5 and run.finished
    assert len(mail.messages) == 5


def test_a_claim_whose_worker_died_before_handover_is_sent_again_once(people, mail, app):
    message = services.create_message(people.event, draft({"status": ["confirmed"]}), actor=people.organiser, now=utcnow())
    app.config["OUTREACH_BATCH_SIZE"] = 2
    try:
        state = app.extensions["mail"]
        real_port, state.port = state.port, free_port()
        services.send_message(message, actor=people.organiser, now=utcnow())
        database.session.commit()
        state.port = real_port
        now = utcnow() + timedelta(minutes=5)
        # A worker claims two rows and dies before talking to the server.
        claimed = delivery.claim(message.id, now=now, size=2)
        assert [d.state for d in claimed] == [DeliveryState.SENDING] * 2
        # Another worker, before the lease ends, leaves them alone; after it, sends them.
        run = delivery.deliver(message.id, clock=lambda: now + timedelta(seconds=1))
        assert run.sent == 3 and not run.finished and run.wake_at == claimed[0].lease_until
        run = delivery.deliver(message.id, clock=lambda: now + timedelta(minutes=10))
        assert run.sent == 2 and run.finished
    finally:
        app.config.pop("OUTREACH_BATCH_SIZE")
    received = sorted(m.envelope_to[0] for m in mail.messages)
    assert received == sorted(set(received)) and len(received) == 5


def test_a_delivery_handed_over_without_a_recorded_reply_is_not_sent_twice(people, mail):
    message = services.create_message(people.event, draft({"payment": ["waived"]}), actor=people.organiser, now=utcnow())
    services.send_message(message, actor=people.organiser, now=utcnow())
    database.session.commit()
    mail.wait_for(1)
    row = database.session.scalar(select(Delivery).where(Delivery.message_id == message.id))
    # Make it look like the worker died right after handing the message over.
    row.state, row.handed_over_at, row.lease_until, row.sent_at = DeliveryState.SENDING, utcnow(), utcnow(), None
    message.status = MessageStatus.SENDING
    database.session.commit()
    run = delivery.deliver(message.id, clock=lambda: utcnow() + timedelta(minutes=5))
    database.session.refresh(row)
    assert row.state == DeliveryState.SENT and row.unconfirmed and run.sent == 0
    assert len(mail.messages) == 1


def test_the_unique_rule_holds_in_the_database(people):
    message = services.create_message(people.event, draft(), actor=people.organiser, now=utcnow())
    database.session.add(Delivery(message_id=message.id, address="x@example.org"))
    database.session.flush()
    database.session.add(Delivery(message_id=message.id, address="x@example.org"))
    with pytest.raises(Exception):
        database.session.flush()
    database.session.rollback()


def test_transactional_mail_with_an_event_goes_through_delivery_records(people, mail):
    registration = people.registrations["ana"]
    send_event_email(people.event, "ana@example.org", "Your invitation", "role_invitation", recipient=registration,
                     registration=registration, inviter=people.organiser, role=type("R", (), {"label": "Speaker"})(), link="http://x")
    database.session.commit()
    received = mail.wait_for(1)[0]
    assert received.subject == "Your invitation" and "List-Unsubscribe" not in received.message
    message = database.session.scalars(select(Message).where(Message.kind == MessageKind.TRANSACTIONAL)).one()
    assert message.template == "role_invitation" and message.status == MessageStatus.SENT
    row = database.session.scalars(select(Delivery).where(Delivery.message_id == message.id)).one()
    assert row.registration_id == registration.id and row.state == DeliveryState.SENT and row.name == "Ana Alves"
    audit = database.session.scalars(select(AuditEntry).where(AuditEntry.action == "outreach.transactional_sent")).one()
    assert audit.details == {"template": "role_invitation", "recipients": 1} and audit.target_id == str(message.id)


def test_transactional_mail_ignores_unsubscribes(people, mail, client):
    client.post(f"/unsubscribe/{unsubscribe.make_token('ana@example.org', people.event.id)}")
    send_event_email(people.event, "ana@example.org", "Receipt", "role_invitation", inviter=people.organiser,
                role=type("R", (), {"label": "Speaker"})(), link="http://x")
    database.session.commit()
    assert len(mail.wait_for(1)) == 1


def test_mail_without_an_event_is_sent_directly(db, mail):
    queue_email("someone@example.org", "Reset", "password_reset", link="http://x", user=make_user())
    database.session.commit()
    assert mail.wait_for(1)[0].subject == "Reset"
    assert database.session.scalar(select(Message.id)) is None


def test_resend_sends_the_same_content_again_as_a_new_message(people, mail):
    message = services.create_message(people.event, draft({"payment": ["waived"]}), actor=people.organiser, now=utcnow())
    services.send_message(message, actor=people.organiser, now=utcnow())
    database.session.commit()
    first = mail.wait_for(1)[0]
    original = database.session.scalar(select(Delivery).where(Delivery.message_id == message.id))
    copy = services.resend_delivery(original, actor=people.organiser, now=utcnow())
    database.session.commit()
    second = mail.wait_for(2)[1]
    assert second.subject == first.subject and second.text.split("-- ")[0].strip() == first.text.split("-- ")[0].strip()
    assert copy.resend_of_id == message.id and copy.kind == MessageKind.TRANSACTIONAL


def test_attachments_are_limited_and_sent(people, mail, app):
    message = services.create_message(people.event, draft({"payment": ["waived"]}), actor=people.organiser, now=utcnow())
    services.add_attachment(message, "agenda.pdf", "application/pdf", b"%PDF-1.4 agenda", actor=people.organiser)
    app.config["OUTREACH_MAX_ATTACHMENT_BYTES"] = 100
    try:
        with pytest.raises(ValidationFailed):
            services.add_attachment(message, "big.bin", "application/octet-stream", b"x" * 100, actor=people.organiser)
    finally:
        app.config.pop("OUTREACH_MAX_ATTACHMENT_BYTES")
    services.send_message(message, actor=people.organiser, now=utcnow())
    database.session.commit()
    assert mail.wait_for(1)[0].attachments() == [("agenda.pdf", "application/pdf", b"%PDF-1.4 agenda")]


def test_send_test_goes_only_to_the_sender_rendered_as_a_recipient(people, mail):
    message = services.create_message(people.event, draft({"status": ["confirmed"]}), actor=people.organiser, now=utcnow())
    services.send_test(message, actor=people.organiser, now=utcnow(), address="cai@example.org")
    database.session.commit()
    received = mail.wait_for(1)[0]
    assert received.envelope_to == ["org@example.org"] and received.subject == "[Test] News for Cai Chen"
    assert database.session.scalar(select(Delivery.id).where(Delivery.message_id == message.id)) is None


def test_mime_round_trips_non_ascii_names_subjects_and_attachments():
    import email
    import email.policy

    data = delivery.build_mime(
        sender="confapp <no-reply@confapp.localhost>", to=delivery.address_header("José Ñandú", "jose@example.org"),
        subject="Café con José\r\nBcc: evil@example.org", text="Olá, José!\n", html="<p>Olá</p>", reply_to="team@example.org",
        headers={"List-Unsubscribe": "<https://x.example/unsubscribe/abc>"}, message_id="<m.1.2@confapp.localhost>",
        attachments=[("ágenda.pdf", "application/pdf", b"%PDF")])
    parsed = email.message_from_bytes(data, policy=email.policy.default)
    assert parsed["To"].addresses[0].display_name == "José Ñandú"
    assert parsed["Subject"] == "Café con José Bcc: evil@example.org"  # folded into the subject, no new header
    assert parsed["Bcc"] is None
    text = next(p for p in parsed.walk() if p.get_content_type() == "text/plain")
    assert text.get_content() == "Olá, José!\n"
    attachment = next(p for p in parsed.walk() if p.get_filename())
    assert attachment.get_payload(decode=True) == b"%PDF" and attachment.get_filename() == "genda.pdf"
    assert b"\r\n" in data and b"\n" not in data.replace(b"\r\n", b"")


def test_rendering_a_batch_runs_a_fixed_number_of_queries(people):
    from confapp.outreach.delivery import MessageBuilder
    from tests.support.queries import count_queries

    message = services.create_message(people.event, draft(body="{{ first_name }} {{ ticket_link }} {{ self_service_link }} "
                                                          "{{ answers.interpretation }}"), actor=people.organiser, now=utcnow())
    delivery.materialize(message, now=utcnow())
    database.session.flush()
    rows = [delivery.Claimed(d.id, d.address, d.name, d.registration_id, d.attempts, d.language, "token") for d in
            database.session.scalars(select(Delivery).where(Delivery.message_id == message.id).order_by(Delivery.id))]
    builder = MessageBuilder(message)

    def count(batch):
        with count_queries(database.session.get_bind(), ignore_savepoints=False) as counter:
            builder.prepare(batch)
        return counter.count

    database.session.expire_all()
    few = count(rows[:2])
    database.session.expire_all()
    assert count(rows) == few and len(rows) >= 10


def test_sending_again_reaches_only_newcomers_and_counts_the_rest_as_already_sent(people, mail):
    from tests.support.outreach import add_registration

    message = services.create_message(people.event, draft({"status": ["confirmed"]}), actor=people.organiser, now=utcnow())
    services.send_message(message, actor=people.organiser, now=utcnow())
    database.session.commit()
    mail.wait_for(5)
    with pytest.raises(ValidationFailed):
        services.send_to_newcomers(message, actor=people.organiser, now=utcnow())
    database.session.rollback()
    add_registration(people.event, "late@example.org", "Lee", "Late", category=people.general)
    new, already = services.send_to_newcomers(message, actor=people.organiser, now=utcnow())
    database.session.commit()
    assert (new, already) == (1, 5)
    received = mail.wait_for(6)
    assert sorted(m.envelope_to[0] for m in received).count("late@example.org") == 1 and len(received) == 6
    database.session.refresh(message)
    assert message.status == MessageStatus.SENT
