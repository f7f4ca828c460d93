"""Access-control tables: every route x every role -> expected status, in one helper.

Usage from any domain's functional tests (the `db` and `client` fixtures are needed):

    from tests.support.access import ANON, NO_ROLE, STAFF, OTHER_ORGANISER, ORGANISER, ADMIN
    from tests.support.access import access_world, assert_access, organisers_only, everyone

    def test_programme_access(client, db):
        world = access_world()              # an event plus one user per role
        slug = world.event.slug
        assert_access(client, db, world, [
            ("GET", f"/manage/{slug}/programme", organisers_only(200)),
            ("POST", f"/manage/{slug}/programme/rooms", organisers_only(302), {"name": "Room A"}),
            ("GET", f"/e/{slug}/agenda", everyone(200)),
        ])

Each role logs in once (through the real login form); every request then runs inside a
savepoint that is rolled back afterwards, so a POST by one role (publish, delete, remove a
team member) never changes what the next role sees. All mismatches are reported together.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping

ANON = "anonymous"
NO_ROLE = "no_role"
STAFF = "staff"
OTHER_ORGANISER = "other_organiser"
ORGANISER = "organiser"
ADMIN = "admin"
ROLES = (ANON, NO_ROLE, STAFF, OTHER_ORGANISER, ORGANISER, ADMIN)

# Anonymous visitors to a login-protected page are sent to the login form.
LOGIN_REDIRECT = 302


def expect(anonymous: int, no_role: int, staff: int, other_organiser: int, organiser: int, admin: int) -> dict[str, int]:
    return {ANON: anonymous, NO_ROLE: no_role, STAFF: staff, OTHER_ORGANISER: other_organiser,
            ORGANISER: organiser, ADMIN: admin}


def everyone(status: int = 200) -> dict[str, int]:
    return dict.fromkeys(ROLES, status)


def logged_in(status: int = 200) -> dict[str, int]:
    """Any account; anonymous visitors are sent to log in."""
    return expect(LOGIN_REDIRECT, status, status, status, status, status)


def organisers_only(status: int = 200) -> dict[str, int]:
    """The event's organisers and site administrators; other accounts get 403."""
    return expect(LOGIN_REDIRECT, 403, 403, 403, status, status)


def staff_and_organisers(status: int = 200) -> dict[str, int]:
    """Check-in staff of this event too (the CHECK_IN action)."""
    return expect(LOGIN_REDIRECT, 403, status, 403, status, status)


@dataclass
class AccessWorld:
    """An event and one account per role (None for the anonymous visitor)."""

    event: Any
    users: dict[str, Any] = field(default_factory=dict)
    other_event: Any = None


def access_world(event=None, **event_overrides) -> AccessWorld:
    """Build an event (published unless `publish=False` is passed) and a user for every role.

    `other_organiser` organises a different event, so they may create events but not touch this one.
    """
    from confapp.accounts.models import Role
    from tests.factories import grant, make_admin, make_event, make_user

    organiser = make_user(name="Access Organiser")
    if event is None:
        event = make_event(organiser=organiser, **event_overrides)
    else:
        grant(event, organiser, Role.ORGANISER)
    staff = make_user(name="Access Staff")
    grant(event, staff, Role.CHECKIN_STAFF)
    other = make_user(name="Access Other Organiser")
    other_event = make_event(organiser=other)
    users = {ANON: None, NO_ROLE: make_user(name="Access No Role"), STAFF: staff, OTHER_ORGANISER: other,
             ORGANISER: organiser, ADMIN: make_admin(name="Access Admin")}
    return AccessWorld(event=event, users=users, other_event=other_event)


Row = tuple  # (method, url, {role: status}) or (method, url, {role: status}, data)

# tests/functional/foundation/test_route_coverage.py runs every access table with this variable
# naming a file, and fails for any route of app.url_map that no table requested.
RECORD_ENV = "CONFAPP_ACCESS_RECORD"


def record_access_row(method: str, url: str) -> None:
    """Note that an access table checks `method url` for several roles (a no-op unless recording).
    assert_access does it for its rows; a table written another way calls it for each of its own."""
    path = os.environ.get(RECORD_ENV)
    if path:
        with open(path, "a", encoding="utf-8") as out:
            out.write(f"{method.upper()} {url}\n")


def _unpack(row: Row) -> tuple[str, str, Mapping[str, int], Any]:
    if len(row) == 3:
        method, url, expected = row
        data = None
    else:
        method, url, expected, data = row
    return method.upper(), url, expected, data


def _login(client, email: str | None) -> None:
    from tests.conftest import TEST_PASSWORD

    client.post("/account/logout")
    if email is not None:
        response = client.post("/account/login", data={"email": email, "password": TEST_PASSWORD})
        assert response.status_code == 302, f"login failed for {email}"




def assert_access(
    client,
    db,
    world: AccessWorld,
    rows: Iterable[Row],
    *,
    roles: Iterable[str] = ROLES,
    headers: Mapping[str, str] | None = None,
    check: Callable[[str, str, str, Any], None] | None = None,
) -> None:
    """Request every row as every role and compare status codes; report all mismatches at once.

    `data` (4th item of a row) is sent as form data, or as JSON when it is a list or when
    `headers` asks for JSON. `check(role, method, url, response)` may assert more.
    """
    rows = [_unpack(row) for row in rows]
    for method, url, _expected, _data in rows:
        record_access_row(method, url)
    emails = {role: (user.email if user is not None else None) for role, user in world.users.items()}
    identities = {role: (type(u), u.id) if u is not None else None for role, u in world.users.items()}
    event_key = (type(world.event), world.event.id)
    other_key = (type(world.other_event), world.other_event.id) if world.other_event is not None else None
    # Whatever the test built so far becomes part of the outer test transaction, so that each
    # request's savepoint can be rolled back without losing it.
    db.session.commit()
    connection = db.session().bind
    failures: list[str] = []
    for role in roles:
        _login(client, emails.get(role))
        db.session.commit()
        for method, url, expected, data in rows:
            if role not in expected:
                continue
            savepoint = connection.begin_nested()
            try:
                kwargs: dict[str, Any] = {"headers": dict(headers or {})}
                if data is not None:
                    wants_json = isinstance(data, list) or "json" in kwargs["headers"].get("Content-Type", "")
                    kwargs["json" if wants_json else "data"] = data
                response = client.open(url, method=method, **kwargs)
                if response.status_code != expected[role]:
                    where = response.headers.get("Location", "")
                    failures.append(f"{method} {url} as {role}: expected {expected[role]}, got {response.status_code}"
                                    + (f" -> {where}" if where else ""))
                elif check is not None:
                    check(role, method, url, response)
            finally:
                # Test requests share the test's app context, so Flask-Login's cached user (g) would
                # outlive the session removed below; in production every request has its own context.
                from flask import g

                g.pop("_login_user", None)
                db.session.remove()
                if savepoint.is_active:
                    savepoint.rollback()
    _login(client, None)
    # The session was cleared between requests: hand the test fresh copies of the world.
    world.users = {role: db.session.get(*key) if key else None for role, key in identities.items()}
    world.event = db.session.get(*event_key)
    world.other_event = db.session.get(*other_key) if other_key else None
    assert not failures, "access table mismatches:\n" + "\n".join(failures)
