"""Speaker photos are stored in the database, not under a host's instance folder: two app
instances with separate instance folders and one database (two web hosts) serve the same
photo, and replacing or deleting a photo deletes its bytes (issue 17).

These tests commit for real, in a SQLite file of their own, because the second host must see
what the first one committed."""
import io
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from flask_migrate import upgrade
from sqlalchemy import func, select

from confapp.extensions import db
from confapp.program.models import Speaker
from confapp.program.speakers import assign_speaker
from confapp.program.tokens import speaker_token
from confapp.storage import StoredFile
from tests.conftest import login, make_app_for
from tests.factories import make_event, make_session, make_speaker, make_user
from tests.functional.program.test_manage_pages import _png


class Host:
    def __init__(self, app, folder: Path):
        self.app, self.folder, self.client = app, folder, app.test_client()

    def files_on_disk(self) -> list[Path]:
        return [p for p in self.folder.rglob("*") if p.is_file() and "speaker_photos" in p.parts]

    def query(self, fn):
        with self.app.app_context():
            return fn()


@pytest.fixture
def hosts(tmp_path, smtp_server):
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    made = [Host(make_app_for(url, smtp_server, INSTANCE_PATH=str(tmp_path / name)), tmp_path / name)
            for name in ("host-a", "host-b")]
    with made[0].app.app_context():
        upgrade()
    yield made
    for host in made:
        with host.app.app_context():
            db.engine.dispose()


@pytest.fixture
def world(hosts):
    """An organiser and a published event with a public speaker (and a not yet public one)."""
    a = hosts[0]
    with a.app.app_context():
        organiser = make_user(email="photos-org@example.org")
        event = make_event(organiser=organiser)
        session = make_session(event, title="Opening plenary", publish=True, actor=organiser)
        speaker = make_speaker(event, name="Ana Public", actor=organiser)
        hidden = make_speaker(event, name="Not Announced", actor=organiser)
        assign_speaker(session, speaker, "panelist", actor=organiser, event=event)
        db.session.commit()
        world = dict(slug=event.slug, speaker_id=speaker.id, hidden_id=hidden.id, email=organiser.email,
                     token=speaker_token(speaker))
    for host in hosts:
        login(host.client, SimpleNamespace(email=world["email"]))
    return world


def _upload(host, world, speaker_id=None, colour=(10, 80, 160)):
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (800, 800), colour).save(out, format="PNG")
    speaker_id = speaker_id or world["speaker_id"]
    response = host.client.post(f"/manage/{world['slug']}/programme/speakers/{speaker_id}", data={
        "name": "Ana Public" if speaker_id == world["speaker_id"] else "Not Announced",
        "photo": (io.BytesIO(out.getvalue()), "portrait.png", "image/png")}, content_type="multipart/form-data")
    assert response.status_code == 302 and response.location.endswith("/programme/speakers"), response.get_data(as_text=True)
    return host.query(lambda: db.session.get(Speaker, speaker_id).photo_filename)


def _stored_keys(host) -> list[str]:
    return host.query(lambda: list(db.session.scalars(select(StoredFile.key))))


def _photo_url(host, world) -> str:
    page = host.client.get(f"/e/{world['slug']}/speakers/{world['speaker_id']}").get_data(as_text=True)
    return re.search(r'<img src="([^"]+/photo[^"]*)"', page).group(1).replace("&amp;", "&")


def test_a_photo_uploaded_through_one_host_is_served_by_another(hosts, world):
    a, b = hosts
    name = _upload(a, world)
    assert a.files_on_disk() == [] and b.files_on_disk() == []
    row = a.query(lambda: db.session.get(StoredFile, "speaker_photos/" + name))
    assert row is not None and row.content_type == "image/jpeg" and row.size == len(row.data) > 0

    url = _photo_url(b, world)
    assert "v=" + name[:16] in url
    b.client = b.app.test_client()  # anyone, not only the organiser
    response = b.client.get(url)
    assert response.status_code == 200 and response.mimetype == "image/jpeg" and response.data == row.data
    assert response.headers["Cache-Control"] == "public, max-age=2592000" and response.headers["ETag"]
    assert b.client.get(url, headers={"If-None-Match": response.headers["ETag"]}).status_code == 304
    # Without the version the URL may show another photo tomorrow: cached briefly only.
    plain = b.client.get(f"/e/{world['slug']}/speakers/{world['speaker_id']}/photo")
    assert plain.status_code == 200 and plain.headers["Cache-Control"] == "public, max-age=300"
    assert a.client.get(url).data == row.data


def test_an_unannounced_speakers_photo_is_for_organisers_and_never_shared_caches(hosts, world):
    a, b = hosts
    _upload(a, world, speaker_id=world["hidden_id"])
    url = f"/e/{world['slug']}/speakers/{world['hidden_id']}/photo"
    assert b.app.test_client().get(url).status_code == 404
    response = b.client.get(url)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "private, no-cache"


def test_replacing_a_photo_changes_its_url_and_deletes_the_old_bytes(hosts, world):
    a, b = hosts
    first = _upload(a, world)
    first_url = _photo_url(b, world)
    second = _upload(b, world, colour=(200, 20, 20))
    assert second != first and _photo_url(a, world) != first_url
    assert _stored_keys(a) == ["speaker_photos/" + second]
    assert a.files_on_disk() == [] and b.files_on_disk() == []


def test_deleting_the_speaker_or_their_photo_deletes_the_bytes(hosts, world):
    a, b = hosts
    _upload(a, world)
    b.client.post(f"/e/{world['slug']}/speaker/{world['token']}/photo/remove")
    assert _stored_keys(a) == []
    assert b.client.get(f"/e/{world['slug']}/speakers/{world['speaker_id']}/photo").status_code == 404

    _upload(a, world)
    assert len(_stored_keys(a)) == 1
    response = a.client.post(f"/manage/{world['slug']}/programme/speakers/{world['speaker_id']}/delete")
    assert response.status_code == 302
    assert a.query(lambda: db.session.scalar(select(func.count()).select_from(Speaker).where(
        Speaker.id == world["speaker_id"]))) == 0
    assert _stored_keys(a) == []
