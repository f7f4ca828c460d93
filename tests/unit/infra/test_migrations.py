"""`flask db upgrade` from empty builds the schema the models describe, and it runs both ways."""
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from confapp.extensions import db
from tests.conftest import make_app_for


def _pending_diff(app):
    with app.app_context():
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            return compare_metadata(context, db.metadata)


def _round_trip(app):
    with app.app_context():
        upgrade()
        assert _pending_diff(app) == []
        downgrade(revision="base")
        with db.engine.connect() as connection:
            remaining = set(db.inspect(connection).get_table_names()) - {"alembic_version"}
        assert remaining == set()
        upgrade()
        assert _pending_diff(app) == []


def test_migrations_match_models_and_round_trip_on_sqlite(tmp_path, smtp_server):
    _round_trip(make_app_for(f"sqlite:///{tmp_path / 'migrations.db'}", smtp_server))


@pytest.mark.postgres
def test_migrations_match_models_and_round_trip_on_postgres(postgres_server, smtp_server):
    url = postgres_server.create_database("confapp_migrations")
    _round_trip(make_app_for(url, smtp_server))
