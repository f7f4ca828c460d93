"""`flask program speaker-link` / `agenda-link` print working signed links."""
from confapp.program.tokens import registration_for_token, speaker_for_token
from tests.factories import make_event, make_registration, make_speaker


def test_links_from_the_command_line(app, db):
    event = make_event()
    speaker = make_speaker(event, email="ana@example.org")
    registration = make_registration(event, email="reg@example.org", send_email=False)
    db.session.commit()
    runner = app.test_cli_runner()
    out = runner.invoke(args=["program", "speaker-link", event.slug, "ANA@example.org"]).output.strip()
    assert speaker_for_token(out.rsplit("/speaker/", 1)[1].strip("/")) == speaker
    out = runner.invoke(args=["program", "agenda-link", event.slug, "reg@example.org"]).output.strip()
    assert registration_for_token(out.rsplit("/my-agenda/", 1)[1].strip("/"), event.id) == registration
    assert runner.invoke(args=["program", "agenda-link", event.slug, "nobody@example.org"]).exit_code != 0
