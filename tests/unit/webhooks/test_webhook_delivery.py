"""Outgoing webhooks end to end against a real HTTP receiver: written with the change (and not
on rollback), signed as Standard Webhooks says, retried with backoff, applied once, leased."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from confapp.clock import utcnow
from confapp.extensions import db
from confapp.registration.services import cancel_registration
from confapp.webhooks import outbox, sending, services
from confapp.webhooks.models import DeliveryState, WebhookAttempt, WebhookDelivery
from tests.factories import make_category, make_registration
from tests.support.queries import count_queries


def _deliveries(endpoint):
    return list(db.session.scalars(select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint.id)
                                   .order_by(WebhookDelivery.id).execution_options(populate_existing=True)))


def test_a_registration_is_sent_signed_after_commit(hooked, receiver):
    event, _, endpoint = hooked
    registration = make_registration(event)
    # Written in the registration's own transaction, before any commit.
    assert [d.event_type for d in _deliveries(endpoint)] == ["registration.created"]
    assert receiver.received == []
    db.session.commit()  # the sending job runs after commit (inline in the test suite)

    [request] = receiver.received
    assert request.verified, request.headers
    assert request.webhook_id.startswith("msg_") and request.headers["webhook-signature"].startswith("v1,")
    body = request.json
    assert body["type"] == "registration.created"
    assert body["data"]["event"] == {"id": event.id, "slug": event.slug}
    assert body["data"]["registration"]["id"] == registration.id
    # Ids and states only: no name, email or answer leaves through a webhook.
    text = request.body.decode()
    assert registration.email not in text and registration.first_name not in text
    [delivery] = _deliveries(endpoint)
    assert delivery.state == DeliveryState.DELIVERED and delivery.response_code == 200 and delivery.attempts == 1


def test_a_tampered_body_or_another_secret_does_not_verify(hooked, receiver):
    from tests.support.webhook_receiver import verify

    event, _, endpoint = hooked
    make_registration(event)
    db.session.commit()
    [request] = receiver.received
    assert verify(endpoint.secret, request.headers, request.body)
    assert not verify(endpoint.secret, request.headers, request.body.replace(b"registration", b"Registration"))
    assert not verify(services.new_secret(), request.headers, request.body)
    # The library the app signs with agrees with the receiver's own implementation.
    from standardwebhooks import Webhook

    timestamp = int(request.headers["webhook-timestamp"])
    from datetime import datetime, timezone

    assert Webhook(endpoint.secret).sign(request.webhook_id, datetime.fromtimestamp(timestamp, timezone.utc),
                                         request.body.decode()) == request.headers["webhook-signature"]


def test_a_rolled_back_change_sends_nothing(hooked, receiver):
    event, _, endpoint = hooked
    category = make_category(event)
    db.session.commit()
    make_registration(event, category)
    assert len(_deliveries(endpoint)) == 1
    db.session.rollback()
    assert _deliveries(endpoint) == []
    db.session.commit()
    assert receiver.received == []


def test_a_500_is_retried_with_backoff_then_delivered_once_more(hooked, receiver):
    event, _, endpoint = hooked
    receiver.answers = [500, 500]
    make_registration(event)
    db.session.commit()
    [delivery] = _deliveries(endpoint)
    assert delivery.state == DeliveryState.PENDING and delivery.attempts == 1 and delivery.response_code == 500
    first_retry = delivery.next_attempt_at
    assert timedelta(seconds=29) < first_retry - delivery.last_attempt_at <= timedelta(seconds=31)

    assert sending.deliver_due(clock=lambda: first_retry - timedelta(seconds=1)).delivered == 0  # not due yet
    assert len(receiver.received) == 1
    sending.deliver_due(clock=lambda: first_retry + timedelta(seconds=1))
    [delivery] = _deliveries(endpoint)
    assert delivery.attempts == 2 and delivery.state == DeliveryState.PENDING
    assert delivery.next_attempt_at - delivery.last_attempt_at == timedelta(seconds=120)  # 30 s * 4
    second_retry = delivery.next_attempt_at
    run = sending.deliver_due(clock=lambda: second_retry + timedelta(seconds=1))
    assert run.delivered == 1
    [delivery] = _deliveries(endpoint)
    assert delivery.state == DeliveryState.DELIVERED and delivery.attempts == 3
    assert [r.status for r in receiver.received] == [500, 500, 200]
    assert len({r.webhook_id for r in receiver.received}) == 1  # one webhook-id on every attempt
    attempts = db.session.scalars(select(WebhookAttempt.response_code).where(WebhookAttempt.delivery_id == delivery.id)
                                  .order_by(WebhookAttempt.id)).all()
    assert attempts == [500, 500, 200]
    assert sending.deliver_due(clock=lambda: utcnow() + timedelta(days=5)).delivered == 0  # nothing more


def test_emitting_one_occurrence_twice_writes_one_delivery(hooked, receiver, now):
    event, organiser, endpoint = hooked
    registration = make_registration(event)
    db.session.commit()
    assert outbox.emit_registrations("registration.created", [registration], now=now) == 0
    db.session.commit()
    assert len(_deliveries(endpoint)) == 1 and len(receiver.received) == 1
    # Sent again by hand: the same webhook-id and body, so the receiver applies it once.
    [delivery] = _deliveries(endpoint)
    services.resend_delivery(delivery, actor=organiser, now=now)
    db.session.commit()
    assert len(receiver.received) == 2 and receiver.received[0].body == receiver.received[1].body
    assert list(receiver.applied) == [delivery.webhook_id]


def test_cancel_and_check_in_are_sent_too(hooked, receiver, now):
    from confapp.checkin import services as checkin

    event, organiser, endpoint = hooked
    registration = make_registration(event)
    checkin_list = checkin.main_list(event, actor=organiser, now=now)
    result = checkin.redeem(registration.ticket_code, checkin_list=checkin_list, station="Door", actor=organiser, now=now)
    checkin.undo(result.check_in, actor=organiser, now=now)
    cancel_registration(registration, actor=organiser, now=now)
    db.session.commit()
    types = [r.json["type"] for r in receiver.received]
    assert types == ["registration.created", "checkin.created", "checkin.undone", "registration.cancelled"]
    assert receiver.received[1].json["data"]["check_in"]["registration_id"] == registration.id
    assert all(r.verified for r in receiver.received)


def test_only_the_types_an_endpoint_hears_are_written(hooked, receiver, now):
    event, organiser, endpoint = hooked
    services.update_endpoint(endpoint, url=endpoint.url, event_types=["registration.cancelled"], actor=organiser, now=now)
    registration = make_registration(event)
    assert _deliveries(endpoint) == []
    cancel_registration(registration, actor=organiser, now=now)
    assert [d.event_type for d in _deliveries(endpoint)] == ["registration.cancelled"]


def test_an_event_without_webhooks_costs_no_query(db, now):
    from tests.factories import make_event

    event = make_event()
    registration = make_registration(event)
    with count_queries(db.engine) as counter:
        assert outbox.emit_registrations("registration.updated", [registration], now=now) == 0
    assert counter.count == 0


def test_410_disables_the_endpoint_and_tells_its_maker(hooked, receiver, mail):
    event, organiser, endpoint = hooked
    receiver.answers = [410]
    make_registration(event)
    db.session.commit()
    db.session.refresh(endpoint)
    db.session.refresh(event)
    assert not endpoint.active and "410" in endpoint.disabled_reason and not event.has_webhooks
    [delivery] = _deliveries(endpoint)
    assert delivery.state == DeliveryState.FAILED
    [message] = [m for m in mail.wait_for(2) if m.envelope_to == [organiser.email]]  # and the confirmation
    assert endpoint.url in message.text and "410" in message.text
    make_registration(event)  # nothing is written for a disabled endpoint
    assert len(_deliveries(endpoint)) == 1


def test_a_receiver_that_keeps_failing_is_given_up_and_disabled(hooked, receiver, app, monkeypatch):
    event, _, endpoint = hooked
    monkeypatch.setitem(app.config, "WEBHOOKS_MAX_ATTEMPTS", 3)
    receiver.answers = [503] * 10
    make_registration(event)
    db.session.commit()
    for day in (1, 2, 3):
        sending.deliver_due(clock=lambda: utcnow() + timedelta(days=day))
    [delivery] = _deliveries(endpoint)
    assert delivery.state == DeliveryState.FAILED and delivery.attempts == 3
    db.session.refresh(endpoint)
    assert not endpoint.active and "3 attempts" in endpoint.disabled_reason


def test_the_retry_schedule_spans_about_three_days(app):
    with app.app_context():
        waits = [sending.backoff(n) for n in range(1, sending.max_attempts())]
    assert waits[:3] == [timedelta(seconds=30), timedelta(minutes=2), timedelta(minutes=8)]
    assert max(waits) == timedelta(hours=12)
    assert timedelta(days=2.5) < sum(waits, timedelta()) < timedelta(days=3.5)


def test_a_claim_whose_worker_died_is_sent_again_after_its_lease(hooked, receiver, app, now):
    event, _, endpoint = hooked
    receiver.answers = [500]
    make_registration(event)
    db.session.commit()  # first attempt: 500, retry in 30 s
    at = utcnow() + timedelta(minutes=1)
    [dead] = sending.claim(now=at, size=10)  # a worker claims it, then dies before recording
    assert sending.claim(now=at + timedelta(seconds=5), size=10) == []  # leased: nobody else takes it
    later = at + timedelta(seconds=sending.lease_seconds() + 1)
    run = sending.deliver_due(clock=lambda: later)
    assert run.delivered == 1
    # The dead worker's late outcome is fenced off by its claim token.
    late = sending.Run()
    sending._record(dead, sending.Response(500, "HTTP 500"), later, late)  # noqa: SLF001 (the fence itself)
    db.session.commit()
    assert late.lost_claims == 1
    [delivery] = _deliveries(endpoint)
    assert delivery.state == DeliveryState.DELIVERED
    assert db.session.scalar(select(func.count()).select_from(WebhookAttempt)) == 2


def test_sessions_the_public_has_seen_are_sent_and_drafts_are_not(hooked, receiver, now):
    from confapp.program.services import SessionData, cancel_session, update_session
    from tests.factories import make_session

    event, organiser, endpoint = hooked
    draft = make_session(event, title="Closed planning meeting", actor=organiser)
    db.session.commit()
    assert receiver.received == []  # a draft stays inside
    session = make_session(event, title="Opening plenary", actor=organiser, publish=True)
    starts = event.local(session.starts_at)
    update_session(session, SessionData(title="Opening plenary (moved)", starts_at=starts.replace(hour=11),
                                        ends_at=starts.replace(hour=12)), actor=organiser, event=event, now=now)
    cancel_session(session, actor=organiser, event=event, now=now)
    db.session.commit()
    assert [r.json["type"] for r in receiver.received] == ["session.published", "session.updated", "session.cancelled"]
    assert receiver.received[1].json["data"]["session"]["title"] == "Opening plenary (moved)"
    assert all(r.json["data"]["session"]["id"] != draft.id for r in receiver.received)


def test_many_sessions_moved_at_once_read_the_endpoints_and_keys_once(hooked, receiver, now, monkeypatch):
    from tests.factories import make_session

    event, organiser, endpoint = hooked
    sessions = [make_session(event, title=f"Panel {n}", actor=organiser, publish=True,
                             starts_at=event.local(event.starts_at).replace(hour=9 + n)) for n in range(6)]
    db.session.commit()
    monkeypatch.setattr(outbox, "send_webhooks", lambda: None)  # only the writing is counted here
    loaded = [(s.id, s.title, s.sequence) for s in sessions] + [(event.id, event.slug, event.has_webhooks)]
    assert len(loaded) == 7  # the caller holds them, loaded, as move_event does
    with count_queries(db.engine) as counter:
        assert outbox.emit_sessions_moved(sessions, event, now=now) == 6
    selects = [s for s in counter if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) == 2, counter.statements
    # Emitted again (same sequences): the same occurrences, nothing more written.
    assert outbox.emit_sessions_moved(sessions, event, now=now) == 0
