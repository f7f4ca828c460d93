"""The personal-data purge: nothing personal left anywhere, figures and report unchanged."""
from datetime import timedelta

import pytest
from sqlalchemy import JSON, String, Text, cast, select

from confapp.audit.models import AuditEntry
from confapp.errors import InvalidState
from confapp.outreach import services as outreach
from confapp.outreach.models import Message, MessageAttachment, Unsubscribe
from confapp.payments.models import Payment, Refund
from confapp.program.models import Speaker
from confapp.registration.models import RegistrationEvent
from confapp.reports import services
from confapp.reports.models import Certificate, SurveyResponse
from confapp.reports.purge import PURGERS, register_purger
from confapp.reports.queries import compute_figures
from tests.factories import make_event, make_user
from tests.reports_data import PERSONAL_STRINGS, check_in_known, known_event, program_known


def find_everywhere(db, needles: list[str]) -> list[tuple[str, str, str]]:
    """(table, column, needle) for every text-like column of every table holding any needle."""
    hits = []
    for table in db.metadata.sorted_tables:
        columns = [c for c in table.columns if isinstance(c.type, (String, Text, JSON)) or "String" in type(c.type).__name__]
        for column in columns:
            expr = cast(column, Text) if isinstance(column.type, JSON) else column
            for needle in needles:
                found = db.session.execute(select(table).where(expr.ilike(f"%{needle}%")).limit(1)).first()
                if found:
                    hits.append((table.name, column.name, needle))
    return hits


def test_purge_removes_every_trace_and_keeps_the_figures(db):
    organiser = make_user(email="org@example.org", name="Olu Organiser")
    event = make_event(organiser=organiser)
    builder = known_event(event)
    check_in_known(builder, organiser)
    alice = next(r for r in builder.registrations if r.email == "alice@example.org" and r.status == "confirmed")
    db.session.add(SurveyResponse(event_id=event.id, respondent_key="k1", registration_id=alice.id, overall_rating=5,
                                  comment="Alice Adeyemi loved it"))
    db.session.add(Certificate(event_id=event.id, registration_id=alice.id, code="c" * 32, holder_name="Alice Adeyemi"))
    program_known(builder, organiser)
    speaker_emails = [s.email for s in db.session.scalars(select(Speaker).where(Speaker.event_id == event.id))]
    # Mail as the outreach engine records it: a confirmation rendered for Alice, with an attachment,
    # and an unsubscribe from this event's announcements.
    outreach.record_transactional(event, ["alice@example.org"], "Your ticket, Alice Adeyemi", "Dear Alice Adeyemi",
                                  "<p>Dear Alice Adeyemi</p>", template="registration_confirmation", registration=alice,
                                  attachments=[("ticket.txt", "text/plain", b"Alice Adeyemi")], now=event.starts_at)
    db.session.add(Unsubscribe(address="alice@example.org", event_id=event.id, token="t"))
    db.session.add(RegistrationEvent(order_id=alice.order_id, registration_id=alice.id, kind="edited",
                                     actor_label="Volunteer Vera Volkova"))
    payment = Payment(order_id=alice.order_id, event_id=event.id, provider="offline", method="at_door", status="paid",
                      amount_minor=5000, currency="USD", recorded_by_label="Volunteer Vera Volkova")
    db.session.add(payment)
    db.session.flush()
    # Organisers type refund reasons freely; this one names a person.
    db.session.add(Refund(payment_id=payment.id, order_id=alice.order_id, amount_minor=100, currency="USD", status="succeeded",
                          actor_label="Volunteer Vera Volkova", reason="Refund agreed with Vera Volkova by phone"))
    db.session.flush()
    assert find_everywhere(db, ["alice@example.org"])  # the search does find what is there

    before = compute_figures(event)
    report = services.start_report(event, actor=organiser)
    services.publish_report(report, actor=organiser, now=event.starts_at + timedelta(days=2))
    snapshot_before = dict(report.snapshot)

    retention = services.purge_event(event, actor=organiser, now=event.ends_at + timedelta(days=1))
    db.session.flush()
    db.session.expire_all()

    assert find_everywhere(db, PERSONAL_STRINGS + speaker_emails + ["Vera Volkova"]) == []
    assert db.session.scalar(select(MessageAttachment.id).join(Message).where(Message.event_id == event.id)) is None
    # The programme keeps what it publishes.
    assert find_everywhere(db, ["Cathy Albisa"])
    assert compute_figures(event) == before
    assert report.snapshot == snapshot_before
    assert retention.purged_at is not None and retention.purge_counts
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.event_id == event.id, AuditEntry.action == "data.purged"))
    assert entry is not None and "Alice" not in str(entry.details)


def test_purge_waits_for_the_end_of_the_event(db):
    event = make_event()
    with pytest.raises(InvalidState):
        services.purge_event(event, actor=None, now=event.starts_at)


def test_events_are_due_after_their_retention_period(db):
    event = make_event()
    assert event not in services.events_due_for_purge(event.ends_at + timedelta(days=89))
    assert event in services.events_due_for_purge(event.ends_at + timedelta(days=90))
    services.set_retention(event, 10, actor=None)
    assert event in services.events_due_for_purge(event.ends_at + timedelta(days=10))


def test_a_domain_can_register_its_purger(db):
    calls = []

    def purge_elsewhere(event, now):
        calls.append(event.id)
        return 3

    register_purger(purge_elsewhere, name="test.elsewhere")
    try:
        event = make_event()
        retention = services.purge_event(event, actor=None, now=event.ends_at)
        assert calls == [event.id] and retention.purge_counts["test.elsewhere"] == 3
    finally:
        PURGERS.pop("test.elsewhere")


def test_a_participant_can_be_forgotten_after_cancelling(db):
    event = make_event()
    builder = known_event(event)
    bob = next(r for r in builder.registrations if r.email == "bob@example.org")
    jo = next(r for r in builder.registrations if r.email == "jo@example.org")
    with pytest.raises(InvalidState):
        services.forget_registration(jo, actor=None, now=event.starts_at - timedelta(days=1))
    services.forget_registration(bob, actor=None, now=event.starts_at - timedelta(days=1))
    db.session.flush()
    db.session.expire_all()
    assert find_everywhere(db, ["Brennan", "bob@example.org"]) == []
    assert find_everywhere(db, ["jo@example.org"])


def test_the_daily_job_purges_only_events_past_retention(db):
    from confapp.reports.tasks import purge_due_events

    old, recent = make_event(), make_event()
    known_event(old)
    now = old.ends_at + timedelta(days=91)
    services.set_retention(recent, 365, actor=None)
    assert purge_due_events(now) == [old.id]
    assert find_everywhere(db, ["alice@example.org"]) == []
    assert purge_due_events(now) == []


def test_cli_purges_one_event_and_the_due_ones(app, db):
    event = make_event()
    known_event(event)
    event.starts_at = event.starts_at - timedelta(days=400)
    event.ends_at = event.starts_at + timedelta(hours=30)
    db.session.flush()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["reports", "purge", event.slug, "--yes"])
    assert result.exit_code == 0, result.output
    assert "Purged " + event.slug in result.output
    assert find_everywhere(db, ["alice@example.org"]) == []
    assert runner.invoke(args=["reports", "purge-due"]).exit_code == 0


def test_a_new_edition_keeps_the_retention_period(db):
    from confapp.events import services as events

    organiser = make_user()
    event = make_event(organiser=organiser)
    services.set_retention(event, 30, actor=organiser)
    copy = events.copy_event(event, title="Next", starts_at=event.starts_at + timedelta(days=365), actor=organiser)
    assert services.retention_for(copy).retention_days == 30


def test_a_forgotten_buyer_takes_their_details_off_the_group_order(db):
    event = make_event()
    builder = known_event(event)
    carol = next(r for r in builder.registrations if r.email == "carol@example.org")
    services.forget_registration(carol, actor=None, now=event.ends_at + timedelta(days=1))
    db.session.flush()
    db.session.expire_all()
    assert find_everywhere(db, ["Castillo", "carol@example.org"]) == []
    assert find_everywhere(db, ["dan@example.org"])  # the rest of her group keeps theirs


def test_purge_deletes_speaker_photos_and_their_stored_bytes(db):
    """Bytes are not text: the column search above cannot see a photo, so look for the stored file."""
    from confapp.program.speakers import set_speaker_photo
    from confapp.storage import StoredFile
    from tests.factories import make_speaker
    from tests.functional.program.test_manage_pages import _png

    organiser = make_user()
    event = make_event(organiser=organiser)
    speaker = make_speaker(event, actor=organiser)
    set_speaker_photo(speaker, _png(), "image/png", actor=organiser, event=event)
    key = "speaker_photos/" + speaker.photo_filename
    assert db.session.get(StoredFile, key) is not None

    services.purge_event(event, actor=organiser, now=event.ends_at + timedelta(days=1))
    db.session.flush()
    db.session.expire_all()

    assert db.session.scalar(select(StoredFile.key).where(StoredFile.key == key)) is None
    assert db.session.get(Speaker, speaker.id).photo_filename is None
