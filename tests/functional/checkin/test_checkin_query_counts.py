"""The desk's reads and the organiser pages run a fixed number of queries, however many people."""
from datetime import timedelta

from confapp.checkin import services
from confapp.types import utcnow
from tests.factories import make_event, make_user
from tests.support.checkin import attendee, category
from tests.support.queries import count_queries

JSON = {"Accept": "application/json"}


def _counts(client, db, world, login_as):
    # Both rounds run with the organiser's session cookie (the pages below need it), so the
    # interface-language lookup it brings costs the same in each round.
    login_as(world["organiser"])
    headers = {**JSON, "X-Checkin-Link": world["token"]}
    base = f"/checkin/api/lists/{world['list'].id}"
    counts = {}
    for name, url in (("offline", f"{base}/offline"), ("stats", f"{base}/stats"), ("search", f"{base}/search?q=tester")):
        with count_queries(db.engine) as counter:
            assert client.get(url, headers=headers).status_code == 200
        counts[name] = counter.count
    for name, url in (("index", f"/manage/{world['event'].slug}/checkin/"), ("dashboard", f"/manage/{world['event'].slug}/checkin/dashboard")):
        with count_queries(db.engine) as counter:
            assert client.get(url).status_code == 200
        counts[name] = counter.count
    return counts


def _add(world, n):
    event, checkin_list, organiser = world["event"], world["list"], world["organiser"]
    cat = category(event, f"Cat {n}")
    for i in range(n):
        reg = attendee(event, first_name=f"P{i}", cat=cat, answers={"pronouns": "they/them", "organisation": "Org"})
        services.redeem(reg.ticket_code, checkin_list=checkin_list, station="Door", actor=organiser, now=utcnow() - timedelta(minutes=i * 7))
    services.create_volunteer_link(checkin_list, name=f"Door {n}", valid_from=utcnow() - timedelta(hours=1),
                                   valid_until=utcnow() + timedelta(hours=1), actor=organiser, now=utcnow())


def test_desk_reads_and_pages_do_not_grow_with_attendees(client, db, login_as):
    organiser = make_user()
    event = make_event(organiser=organiser)
    checkin_list = services.main_list(event, actor=organiser, now=utcnow())
    _, token = services.create_volunteer_link(checkin_list, name="Door 1", valid_from=utcnow() - timedelta(hours=1),
                                              valid_until=utcnow() + timedelta(hours=1), actor=organiser, now=utcnow())
    world = {"event": event, "list": checkin_list, "organiser": organiser, "token": token}
    _add(world, 2)
    db.session.commit()
    small = _counts(client, db, world, login_as)
    _add(world, 12)
    db.session.commit()
    large = _counts(client, db, world, login_as)
    assert small == large, (small, large)
