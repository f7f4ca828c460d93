"""OUTREACH_DELIVERY_JOBS: a message's deliveries shared by several delivery jobs. Here the jobs run
inline one after the other (the first sends everything, the others find nothing left to claim);
tests/multihost proves the sharing with consumers on two hosts, and a killed one."""
from collections import Counter

from confapp.extensions import db as database
from confapp.outreach import sending, services
from confapp.outreach.services import MessageDraft
from confapp.types import utcnow
from tests.support.outreach import build_people


def test_delivery_jobs_default_to_one_and_come_from_the_config_or_the_environment(app, monkeypatch):
    with app.test_request_context():
        monkeypatch.delenv("OUTREACH_DELIVERY_JOBS", raising=False)
        assert sending.delivery_jobs() == 1
        monkeypatch.setenv("OUTREACH_DELIVERY_JOBS", "5")
        assert sending.delivery_jobs() == 5
        monkeypatch.setitem(app.config, "OUTREACH_DELIVERY_JOBS", "0")
        assert sending.delivery_jobs() == 1


def test_several_delivery_jobs_send_each_recipient_one_message(db, app, mail, monkeypatch):
    people = build_people()
    monkeypatch.setitem(app.config, "OUTREACH_DELIVERY_JOBS", 3)
    message = services.create_message(people.event, MessageDraft("News", "Hello {{ first_name }}", {"status": ["confirmed"]}),
                                      actor=people.organiser, now=utcnow())
    services.send_message(message, actor=people.organiser, now=utcnow())
    database.session.commit()
    received = Counter(m.envelope_to[0] for m in mail.wait_for(5))
    assert len(received) == 5 and set(received.values()) == {1}
