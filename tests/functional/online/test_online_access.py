"""Every online route x every role -> expected status."""
from confapp.online.access import join_token
from tests.factories import make_registration
from tests.support.access import access_world, assert_access, everyone, expect, organisers_only, staff_and_organisers, LOGIN_REDIRECT


def test_online_routes_by_role(client, db, hybrid):
    world = access_world(event=hybrid.event)
    slug = hybrid.event.slug
    attendee = make_registration(hybrid.event, hybrid.online, send_email=False)
    token = join_token(attendee, hybrid.soon.id, generation=0)
    details_id = hybrid.details.id
    from confapp.online import follow_up

    follow_up.save_links(hybrid.event, follow_up.LinksData("https://video.example.org/r"), actor=hybrid.organiser)
    db.session.commit()
    assert_access(client, db, world, [
        ("GET", f"/manage/{slug}/online/", staff_and_organisers(200)),
        ("GET", f"/manage/{slug}/online/modes", organisers_only(200)),
        ("POST", f"/manage/{slug}/online/modes", organisers_only(302), {"mode": "hybrid"}),
        ("GET", f"/manage/{slug}/online/join", organisers_only(200)),
        ("POST", f"/manage/{slug}/online/join", organisers_only(302),
         {"meeting_url": "https://meet.example.net/other", "reveal_minutes": "15"}),
        ("GET", f"/manage/{slug}/online/join/{hybrid.soon.id}", organisers_only(200)),
        ("POST", f"/manage/{slug}/online/join/{hybrid.soon.id}", organisers_only(302),
         {"meeting_url": "https://meet.example.net/session", "reveal_minutes": "15"}),
        ("POST", f"/manage/{slug}/online/join/links", organisers_only(302),
         {"recording_url": "https://video.example.org/r", "materials": "", "visibility": "public"}),
        ("POST", f"/manage/{slug}/online/join/{hybrid.soon.id}/links", organisers_only(302),
         {"recording_url": "https://video.example.org/s", "materials": "", "visibility": "registered"}),
        ("GET", f"/manage/{slug}/online/follow-up", organisers_only(200)),
        ("POST", f"/manage/{slug}/online/follow-up", organisers_only(302),
         {"audience": "registered", "subject": "Recordings", "body": "See the recordings."}),
        ("POST", f"/manage/{slug}/online/join/{details_id}/remove", organisers_only(302), {}),
        ("POST", f"/manage/{slug}/online/attendance", organisers_only(302),
         {"registration_id": attendee.id, "target": str(hybrid.soon.id)}),
        ("POST", f"/manage/{slug}/online/attendance/999999/remove", expect(LOGIN_REDIRECT, 403, 403, 403, 404, 404), {}),
        ("POST", f"/manage/{slug}/online/registrations/{attendee.id}/revoke", organisers_only(302), {}),
        # A personal link: whoever holds it sees whose it is (a forwarded link shows its owner).
        ("GET", f"/j/{token}", everyone(200)),
        ("POST", f"/j/{token}", everyone(200), {}),
        ("GET", "/j/not-a-token", everyone(404)),
    ])


def test_webcast_series_routes_by_role(client, db, webcast):
    from confapp.online import series
    from tests.support.clock import TEST_NOW

    world = access_world(event=webcast.template)
    [edition] = series.create_editions(webcast.rule, actor=webcast.organiser, now=TEST_NOW, ahead=1)
    db.session.commit()
    slug, group = webcast.template.slug, webcast.series.slug
    rule = {"template_event_id": webcast.template.id, "frequency": "monthly", "ordinal": "1", "weekday": "1", "interval": "1",
            "at_time": "19:00", "timezone": "America/New_York", "duration_minutes": "60", "starts_on": "2026-12-01"}
    assert_access(client, db, world, [
        ("GET", f"/manage/{slug}/online/series", organisers_only(200)),
        ("POST", f"/manage/{slug}/online/series", organisers_only(302), rule),
        ("POST", f"/manage/{slug}/online/series/editions", organisers_only(302), {"ahead": "1"}),
        ("GET", f"/series/{group}", everyone(200)),
        ("GET", "/series/no-such-series", everyone(404)),
        ("POST", f"/series/{group}/subscribe", everyone(302),
         {"first_name": "Rosa", "last_name": "Parks", "email": "rosa@example.org", "category": "Online"}),
        # Only the holder of a ticket link of a subscriber (whoever they are); no subscription: 404.
        ("POST", f"/e/{edition.slug}/ticket/not-a-token/leave-series", everyone(404), {}),
    ])
