"""The desk's name search on a PostgreSQL database that sorts text by a language's rules (a cluster
created with en_US.UTF-8, or ICU): the prefix ranges still find every name."""
from __future__ import annotations

import pytest
from flask_migrate import upgrade
from sqlalchemy import text

from confapp.checkin import queries, services
from confapp.extensions import db
from confapp.types import utcnow
from tests.conftest import make_app_for
from tests.factories import make_event, make_user
from tests.support.checkin import attendee


@pytest.mark.postgres
def test_names_ending_in_z_or_9_are_found_under_a_language_collation(postgres_server, smtp_server):
    app = make_app_for(postgres_server.create_database("confapp_icu", icu_locale="en-US"), smtp_server)
    with app.app_context():
        upgrade()
        assert db.session.execute(text(
            "SELECT datlocprovider FROM pg_database WHERE datname = current_database()")).scalar() == "i"
        organiser = make_user()
        event = make_event(organiser=organiser)
        checkin_list = services.main_list(event, actor=organiser, now=utcnow())
        attendee(event, first_name="Inés", last_name="Díaz")
        attendee(event, first_name="Kwame", last_name="Mensah")
        attendee(event, first_name="Room", last_name="Nine9")
        db.session.commit()
        try:
            # Under en-US, the range's upper bound for "diaz" ("dia{") sorts before "diaz" itself.
            for typed in ("diaz", "Díaz", "ines diaz", "dia", "nine9", "mensah"):
                found = [row.name for row in queries.search(checkin_list, typed)]
                expected = {"mensah": ["Kwame Mensah"], "nine9": ["Room Nine9"]}.get(typed, ["Inés Díaz"])
                assert found == expected, typed
        finally:
            db.session.remove()
            db.engine.dispose()
