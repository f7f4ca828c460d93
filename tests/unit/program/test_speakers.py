"""Speaker profiles, photos, self-service actors, invitations and answers."""
import io
import re

import pytest
from PIL import Image

from confapp.errors import InvalidState, NotAllowed, ValidationFailed
from confapp.program import photos
from confapp.program.models import ParticipationStatus
from confapp.program.speakers import (SpeakerActor, SpeakerData, assign_speaker, invite_speaker, respond_to_session,
                                      set_speaker_photo, update_speaker)
from confapp.program.tokens import speaker_for_token, speaker_token
from tests.factories import make_event, make_session, make_speaker, make_user


def image_bytes(fmt="PNG", size=(1200, 900)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 40, 40)).save(out, format=fmt)
    return out.getvalue()


@pytest.fixture
def ctx(db):
    organiser = make_user()
    event = make_event(organiser=organiser)
    return event, organiser


def test_speaker_edits_own_profile_but_not_email_or_another(ctx):
    event, _ = ctx
    me, other = make_speaker(event, name="Davida Finger"), make_speaker(event)
    data = SpeakerData(name="Davida Finger", email="new@example.org", pronouns="she/her", affiliation="Loyola",
                       links=["https://example.org/davida"])
    update_speaker(me, data, actor=SpeakerActor(me), event=event)
    assert me.pronouns == "she/her" and me.email.startswith("speaker")
    with pytest.raises(NotAllowed):
        update_speaker(other, data, actor=SpeakerActor(me), event=event)


@pytest.mark.parametrize("data, field", [
    (SpeakerData(name=""), "name"),
    (SpeakerData(name="A", links=["javascript:alert(1)"]), "links"),
    (SpeakerData(name="A", email="not-an-email"), "email"),
])
def test_invalid_profiles_are_refused(ctx, data, field):
    event, organiser = ctx
    speaker = make_speaker(event)
    with pytest.raises(ValidationFailed) as error:
        update_speaker(speaker, data, actor=organiser, event=event)
    assert field in error.value.errors


def test_photo_is_resized_reencoded_and_stored_under_a_random_name(ctx):
    event, organiser = ctx
    speaker = make_speaker(event)
    set_speaker_photo(speaker, image_bytes(), "image/png", actor=organiser, event=event)
    # Stored under a random name, in the database rather than a host's folder.
    assert re.fullmatch(r"[0-9a-f]{32}\.jpg", speaker.photo_filename)
    blob = photos.load_photo(speaker.photo_filename)
    assert blob is not None and blob.key == "speaker_photos/" + speaker.photo_filename and blob.content_type == "image/jpeg"
    with Image.open(io.BytesIO(blob.data)) as stored:
        assert stored.format == "JPEG" and max(stored.size) <= 600


@pytest.mark.parametrize("data, content_type", [
    (b"%PDF-1.4 not an image", "application/pdf"),
    (b"GIF89a pretending", "image/png"),
    (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "image/svg+xml"),
])
def test_non_images_are_refused(ctx, data, content_type):
    event, organiser = ctx
    speaker = make_speaker(event)
    with pytest.raises(ValidationFailed) as error:
        set_speaker_photo(speaker, data, content_type, actor=organiser, event=event)
    assert "photo" in error.value.errors and speaker.photo_filename is None


def test_oversized_photo_is_refused(ctx):
    event, organiser = ctx
    speaker = make_speaker(event)
    with pytest.raises(ValidationFailed):
        set_speaker_photo(speaker, b"\x89PNG" + b"0" * (photos.MAX_PHOTO_BYTES + 1), "image/png", actor=organiser, event=event)


def test_tokens_open_only_their_speaker_and_reinviting_revokes(ctx, app, mail):
    event, organiser = ctx
    speaker = make_speaker(event)
    token = speaker_token(speaker)
    assert speaker_for_token(token) is speaker
    assert speaker_for_token(token + "x") is None
    assert speaker_for_token(token, max_age=-1) is None
    with app.test_request_context():
        invite_speaker(speaker, actor=organiser, event=event)
    assert speaker_for_token(token) is None
    assert speaker_for_token(speaker_token(speaker)) is speaker


def test_invitation_needs_an_email(ctx):
    event, organiser = ctx
    speaker = make_speaker(event, email="")
    with pytest.raises(InvalidState):
        invite_speaker(speaker, actor=organiser, event=event)


def test_speaker_confirms_or_declines_only_their_own_sessions(ctx):
    event, organiser = ctx
    me, other = make_speaker(event), make_speaker(event)
    session = make_session(event, actor=organiser)
    mine = assign_speaker(session, me, "moderator", actor=organiser, event=event)
    theirs = assign_speaker(session, other, "panelist", actor=organiser, event=event)
    respond_to_session(mine, ParticipationStatus.CONFIRMED, actor=SpeakerActor(me), event=event)
    assert mine.status == ParticipationStatus.CONFIRMED and mine.responded_at
    with pytest.raises(NotAllowed):
        respond_to_session(theirs, ParticipationStatus.DECLINED, actor=SpeakerActor(me), event=event)
    with pytest.raises(NotAllowed):
        respond_to_session(mine, ParticipationStatus.DECLINED, actor=organiser, event=event)


def test_speakers_of_another_event_cannot_be_assigned(ctx):
    event, organiser = ctx
    speaker = make_speaker(make_event())
    with pytest.raises(InvalidState):
        assign_speaker(make_session(event, actor=organiser), speaker, "panelist", actor=organiser, event=event)
