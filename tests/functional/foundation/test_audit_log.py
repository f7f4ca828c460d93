"""The per-event audit log: who did what, when; ids and field names, never personal data."""
from confapp.audit.models import AuditEntry
from tests.factories import make_event, make_user
from tests.functional.foundation.test_pages import count_queries

EDIT = {"title": "Renamed convening", "timezone": "America/New_York", "starts_at": "2027-01-10T09:00",
        "ends_at": "2027-01-11T17:00", "series_id": "0"}


def test_organiser_actions_appear_in_the_audit_log_without_personal_data(client, db, login_as):
    organiser = make_user(name="Martha Davis")
    event = make_event(organiser=organiser)
    login_as(organiser)
    client.post(f"/manage/{event.slug}/edit", data=EDIT)
    client.post(f"/manage/{event.slug}/team", data={"email": "private.colleague@example.org", "role": "checkin_staff"})
    client.post(f"/manage/{event.slug}/unpublish")
    page = client.get(f"/manage/{event.slug}/audit").get_data(as_text=True)
    for action in ("event.created", "event.published", "event.updated", "role.invited", "event.unpublished"):
        assert action in page
    assert "fields: title" in page and "Martha Davis" in page
    assert "private.colleague" not in page
    stored = db.session.scalars(db.select(AuditEntry).filter_by(event_id=event.id)).all()
    assert all("private.colleague" not in str(entry.details) for entry in stored)
    # Newest first.
    assert page.index("event.unpublished") < page.index("event.updated") < page.index("event.created")


def test_audit_log_pages_in_a_fixed_number_of_queries(client, db, login_as):
    organiser = make_user()
    event = make_event(organiser=organiser)
    login_as(organiser)
    db.session.commit()
    client.get(f"/manage/{event.slug}/audit")  # settle what the session had expired
    with count_queries(db) as few:
        client.get(f"/manage/{event.slug}/audit")
    for n in range(5):
        client.post(f"/manage/{event.slug}/edit", data=dict(EDIT, title=f"Title {n}"))
    client.get(f"/manage/{event.slug}/audit")
    with count_queries(db) as many:
        client.get(f"/manage/{event.slug}/audit")
    import re
    short = lambda qs: [re.sub(r'\s+', ' ', q.split('FROM', 1)[-1])[:50] for q in qs]
    assert len(many) == len(few), (short(few), short(many))

