"""Outreach and reports through /api/v1: a draft for a segment (outreach:write) through the
composer's own service, delivery counts (outreach:read), sending only with outreach:send
through the page's own send; the published report for anyone once published, the live
dashboard figures with reports:read."""
from __future__ import annotations

import time
from datetime import timedelta

from confapp.outreach.models import Message, MessageStatus
from confapp.reports import services as report_services
from tests.functional.api.conftest import bearer, make_token
from tests.support.access import ORGANISER
from tests.support.outreach import build_people

PROBLEM = "application/problem+json"


def _people_token(db, people, *scopes) -> dict:
    _, secret = make_token(people.event, people.organiser, scopes=list(scopes), name="CRM sync")
    db.session.commit()
    return bearer(secret)


def test_a_draft_for_a_segment_and_its_counts(client, db):
    people = build_people()
    writer = _people_token(db, people, "outreach:write", "outreach:read")
    url = f"/api/v1/events/{people.event.slug}/messages"
    created = client.post(url, headers=writer, json={"subject": "Welcome {{ first_name }}", "body": "See you soon.",
                                                     "segment": {"status": ["confirmed"]}})
    assert created.status_code == 201, created.json
    body = created.json
    assert body["status"] == "draft" and body["recipients"] == 5 and body["segment"] == {"status": ["confirmed"]}
    assert body["deliveries"]["total"] == 0 and body["deliveries"]["sent"] == 0 and body["sent_at"] is None
    assert db.session.get(Message, body["id"]).status == MessageStatus.DRAFT
    again = client.get(f"{url}/{body['id']}", headers=writer)
    assert again.status_code == 200 and again.json["subject"] == "Welcome {{ first_name }}"

    refused = client.post(url, headers=writer, json={"subject": "Hi {{ nonsense_field }}", "body": "x",
                                                     "segment": {"status": ["confirmed"]}})
    assert refused.status_code == 422 and refused.mimetype == PROBLEM and refused.json["errors"]
    bad_segment = client.post(url, headers=writer, json={"subject": "Hi", "body": "x", "segment": {"nope": 1}})
    assert bad_segment.status_code == 422 and "segment" in bad_segment.json["errors"]
    bad_version = client.post(url, headers=writer, json={"subject": "Hi", "body": "x", "translations": {"es": {"subject": 5}}})
    assert bad_version.status_code == 422 and bad_version.mimetype == PROBLEM


def test_sending_needs_the_send_scope_and_goes_through_the_pages_send(client, db, mail):
    people = build_people()
    writer = _people_token(db, people, "outreach:write", "outreach:read")
    sender = _people_token(db, people, "outreach:send", "outreach:read")
    url = f"/api/v1/events/{people.event.slug}/messages"
    message_id = client.post(url, headers=writer, json={"subject": "Welcome", "body": "See you soon.",
                                                        "segment": {"status": ["confirmed"]}}).json["id"]
    refused = client.post(f"{url}/{message_id}/send", headers=writer)
    assert refused.status_code == 403 and refused.mimetype == PROBLEM and "outreach:send" in refused.json["detail"]
    assert db.session.get(Message, message_id).status == MessageStatus.DRAFT

    sent = client.post(f"{url}/{message_id}/send", headers=sender)
    assert sent.status_code == 200, sent.json
    assert sent.json["status"] in ("sending", "sent") and sent.json["deliveries"]["total"] == 5
    assert len(mail.wait_for(5)) == 5
    for _ in range(50):
        counts = client.get(f"{url}/{message_id}", headers=sender).json["deliveries"]
        if counts["sent"] == 5:
            break
        time.sleep(0.1)
    assert counts["sent"] == 5 and counts["finished"] is True
    twice = client.post(f"{url}/{message_id}/send", headers=sender)
    assert twice.status_code == 409 and twice.mimetype == PROBLEM


def test_outreach_scopes_are_refused(client, db):
    people = build_people()
    reader = _people_token(db, people, "outreach:read")
    url = f"/api/v1/events/{people.event.slug}/messages"
    response = client.post(url, headers=reader, json={"subject": "Hi", "body": "x"})
    assert response.status_code == 403 and response.mimetype == PROBLEM
    unscoped = _people_token(db, people, "events:read")
    assert client.get(f"{url}/1", headers=unscoped).status_code == 403
    assert client.get(f"{url}/1").status_code == 401


def test_the_published_report_is_public_and_the_live_figures_need_reports_read(client, db, world):
    organiser = world.users[ORGANISER]
    slug = world.event.slug
    assert client.get(f"/api/v1/events/{slug}/report").status_code == 404  # not published yet
    report = report_services.start_report(world.event, actor=organiser)
    report.narrative = "A good convening."
    report_services.publish_report(report, actor=organiser, now=world.event.starts_at + timedelta(hours=1))
    db.session.commit()

    published = client.get(f"/api/v1/events/{slug}/report")
    assert published.status_code == 200, published.json
    assert published.json["headline"]["sessions"] == 0 and "finance" not in published.json["figures"]
    assert published.json["texts"]["narrative"] == "A good convening."

    live_url = f"/api/v1/events/{slug}/report/live"
    assert client.get(live_url).status_code == 401
    _, unscoped = make_token(world.event, organiser, scopes=["events:read"], name="Partner")
    _, reports = make_token(world.event, organiser, scopes=["reports:read"], name="Dashboard")
    db.session.commit()
    refused = client.get(live_url, headers=bearer(unscoped))
    assert refused.status_code == 403 and refused.mimetype == PROBLEM and "reports:read" in refused.json["detail"]
    live = client.get(live_url, headers=bearer(reports))
    assert live.status_code == 200 and live.json["frozen"] is False
    assert "finance" in live.json["figures"] and live.json["headline"]["registered"] == 0
    assert client.get(f"/api/v1/events/{slug}/report", headers=bearer(unscoped)).status_code == 403
