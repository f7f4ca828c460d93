"""The demo's online convenings (issue 15): the monthly UPR tele-town halls (three past editions
with online attendance and recordings, one upcoming created by the rule, with its join details and
reminder, its series subscribers registered) and the upcoming PHRGE Institute made hybrid."""
from __future__ import annotations

from sqlalchemy import func, select

from confapp.types import utcnow


def test_the_demo_has_a_tele_town_hall_series_and_a_hybrid_institute(client, db):
    from confapp.demo import load_demo
    from confapp.events.models import AttendanceMode
    from confapp.online.models import AttendanceSource, JoinDetails, OnlineAttendance
    from confapp.outreach.models import ReminderRule
    from confapp.registration.models import PlaceKind, Registration, RegistrationCategory

    ctx = load_demo(utcnow())
    db.session.commit()
    template, upcoming = ctx.events["upr_template"], ctx.events["upr_next"]
    editions = template.series.events
    now = utcnow()
    past = [e for e in editions if e.starts_at <= now]
    assert len(past) == 3 and [e for e in editions if e.starts_at > now] == [upcoming]
    for edition in past:
        joined = db.session.scalar(select(func.count()).select_from(OnlineAttendance).where(OnlineAttendance.event_id == edition.id))
        assert joined > 0
    assert db.session.scalar(select(func.count()).select_from(OnlineAttendance).where(
        OnlineAttendance.source == AttendanceSource.MANUAL)) > 0
    assert db.session.scalar(select(JoinDetails).where(JoinDetails.event_id == upcoming.id)) is not None
    assert db.session.scalar(select(ReminderRule).where(ReminderRule.event_id == upcoming.id)) is not None
    subscribers = db.session.scalar(select(func.count()).select_from(Registration).where(Registration.event_id == upcoming.id))
    assert subscribers == 4
    page = client.get(f"/series/{template.series.slug}").get_data(as_text=True)
    assert page.count("https://video.confapp.example/upr-town-hall-") == 3 and f"/e/{upcoming.slug}/" in page
    assert "meet.confapp.example" not in page
    phrge = ctx.events["phrge_next"]
    assert phrge.attendance_mode == AttendanceMode.HYBRID
    kinds = {c.attendance_mode for c in db.session.scalars(select(RegistrationCategory).where(RegistrationCategory.event_id == phrge.id))}
    assert kinds == {PlaceKind.IN_PERSON, PlaceKind.ONLINE}
