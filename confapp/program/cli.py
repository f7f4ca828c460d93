"""`flask program ...`: links for people without accounts (read-only; nothing is changed), and
moving a host's old photo files into the database."""
from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select

from ..events.queries import event_by_slug
from ..extensions import db
from ..urls import external_url
from .models import Speaker
from .tokens import attendee_token, speaker_token

cli = AppGroup("program", help="Programme: speaker and attendee links.")


@cli.command("agenda-link")
@click.argument("slug")
@click.argument("email")
def agenda_link(slug: str, email: str) -> None:
    """Print the personal agenda link of the active registration(s) with EMAIL at event SLUG."""
    from ..registration.models import ACTIVE_STATUSES, Registration

    event = event_by_slug(slug)
    if event is None:
        raise click.ClickException("No event with that address.")
    registrations = db.session.scalars(select(Registration).where(
        Registration.event_id == event.id, Registration.email == email.strip().lower(),
        Registration.status.in_(ACTIVE_STATUSES))).all()
    if not registrations:
        raise click.ClickException("No active registration with that email at this event.")
    for registration in registrations:
        click.echo(external_url("program.attendee_agenda", slug=event.slug, token=attendee_token(registration)))


@cli.command("speaker-link")
@click.argument("slug")
@click.argument("email")
def speaker_link(slug: str, email: str) -> None:
    """Print the self-service link of the speaker with EMAIL at event SLUG (valid 60 days)."""
    event = event_by_slug(slug)
    speaker = event and db.session.scalar(select(Speaker).where(Speaker.event_id == event.id,
                                                                Speaker.email == email.strip().lower()))
    if not speaker:
        raise click.ClickException("No speaker with that email at this event.")
    click.echo(external_url("program.speaker_portal", slug=event.slug, token=speaker_token(speaker)))


@cli.command("import-photos")
@click.option("--folder", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where the photos were written (default: this host's instance folder/speaker_photos).")
def import_photos(folder: Path | None) -> None:
    """Store speaker photos this host kept on disk (before they moved into the database)."""
    from flask import current_app

    from .photos import import_photo_files

    stored = import_photo_files(folder or Path(current_app.instance_path) / "speaker_photos")
    db.session.commit()
    click.echo(f"Stored {stored} photo(s).")
