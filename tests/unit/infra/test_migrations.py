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


def test_photo_files_move_into_the_database_and_back(tmp_path, smtp_server):
    """0120 stores the photos this host wrote under its instance folder (the ones speakers name);
    downgrading writes them back; `flask program import-photos` does the move on other hosts."""
    import io

    from PIL import Image
    from sqlalchemy import select

    from confapp.program.models import Speaker
    from confapp.program.speakers import set_speaker_photo
    from confapp.storage import StoredFile
    from tests.factories import make_event, make_speaker, make_user

    instance = tmp_path / "instance"
    app = make_app_for(f"sqlite:///{tmp_path / 'photos.db'}", smtp_server, INSTANCE_PATH=str(instance))
    out = io.BytesIO()
    Image.new("RGB", (64, 64), (1, 2, 3)).save(out, format="PNG")
    with app.app_context():
        upgrade()
        organiser = make_user()
        event = make_event(organiser=organiser)
        speaker = make_speaker(event, actor=organiser)
        set_speaker_photo(speaker, out.getvalue(), "image/png", actor=organiser, event=event)
        name, speaker_id = speaker.photo_filename, speaker.id
        data = db.session.get(StoredFile, "speaker_photos/" + name).data
        db.session.commit()
        db.session.remove()

        downgrade(revision="0115_reports_figures_cache")
        assert (instance / "speaker_photos" / name).read_bytes() == data
        (instance / "speaker_photos" / "0123456789abcdef0123456789abcdef.jpg").write_bytes(b"nobody names me")
        upgrade()
        assert db.session.scalars(select(StoredFile.key)).all() == ["speaker_photos/" + name]
        assert db.session.get(StoredFile, "speaker_photos/" + name).data == data

        # Another host's folder: the CLI stores what is missing and skips what is stored.
        db.session.execute(db.delete(StoredFile))
        db.session.commit()
        other = tmp_path / "other-host"
        other.mkdir()
        (other / name).write_bytes(data)
        runner = app.test_cli_runner()
        assert "Stored 1 photo(s)." in runner.invoke(args=["program", "import-photos", "--folder", str(other)]).output
        assert "Stored 0 photo(s)." in runner.invoke(args=["program", "import-photos", "--folder", str(other)]).output
        db.session.remove()
        assert db.session.get(StoredFile, "speaker_photos/" + name).data == data
        assert db.session.get(Speaker, speaker_id).photo_filename == name
        db.engine.dispose()
