"""A failing statement on PostgreSQL leaves no personal data in the log: the engine hides bound
parameters (hide_parameters), so the error handler's traceback names the statement, not the name
and email it carried. Provoked through HTTP by routes that write what the input guards would
otherwise refuse: a NUL byte (which PostgreSQL's text cannot hold) and a duplicate email."""
from __future__ import annotations

import logging

import pytest
from flask_migrate import upgrade

from confapp.accounts.models import User
from confapp.extensions import db
from tests.conftest import make_app_for
from tests.factories import make_user

pytestmark = pytest.mark.postgres

NAME = "Zanele Sekgobela-Marchetti"
EMAIL = "zanele.private@example.org"


@pytest.fixture(scope="module")
def logging_app(postgres_server, smtp_server):
    app = make_app_for(postgres_server.create_database("confapp_sql_logs"), smtp_server)

    @app.post("/_test/rename/<int:user_id>")
    def rename(user_id):
        user = db.session.get(User, user_id)
        user.name = f"{NAME}\x00"
        user.email = f"{EMAIL}\x00"
        db.session.commit()
        return "saved"

    @app.post("/_test/duplicate/<int:user_id>")
    def duplicate(user_id):
        user = db.session.get(User, user_id)
        db.session.add(User(email=user.email, name=NAME, password_hash="x"))
        db.session.commit()
        return "saved"

    with app.app_context():
        upgrade()
        first = make_user(email=EMAIL, name=NAME)
        db.session.commit()
        app.user_id = first.id
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.mark.parametrize("route", ["rename", "duplicate"])
def test_a_database_error_logs_neither_the_name_nor_the_email(logging_app, caplog, route):
    client = logging_app.test_client()
    with caplog.at_level(logging.INFO):
        response = client.post(f"/_test/{route}/{logging_app.user_id}")
    assert response.status_code == 500
    logged = "\n".join(r.getMessage() + "\n" + (logging.Formatter().formatException(r.exc_info) if r.exc_info else "")
                       for r in caplog.records)
    assert "Unhandled" in logged and ("DataError" in logged or "IntegrityError" in logged)
    assert "hide_parameters" in logged or "DETAIL" not in logged
    for secret in (NAME, EMAIL, "Zanele", "zanele.private"):
        assert secret not in logged, f"{secret!r} reached the log"
        assert secret not in response.get_data(as_text=True)


def test_the_engine_hides_parameters_whatever_options_a_deployment_sets(logging_app):
    with logging_app.app_context():
        assert db.engine.hide_parameters is True
