"""`flask reports ...`: run the personal-data purge by hand."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from ..audit.services import SYSTEM
from ..events.queries import event_by_slug
from ..extensions import db
from ..types import utcnow

cli = AppGroup("reports", help="Reports and personal-data retention.")


@cli.command("purge-due")
def purge_due_command() -> None:
    """Delete the personal data of every event past its retention period (what the hourly job does)."""
    from .tasks import purge_due_events

    purged = purge_due_events(utcnow())
    click.echo(f"Purged {len(purged)} event(s).")


@cli.command("purge")
@click.argument("slug")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def purge_command(slug: str, yes: bool) -> None:
    """Delete one ended event's personal data now."""
    from . import services

    event = event_by_slug(slug)
    if event is None:
        raise click.ClickException(f"No event {slug!r}.")
    if not yes:
        click.confirm(f"Delete the personal data of {event.title}? This cannot be undone.", abort=True)
    retention = services.purge_event(event, actor=SYSTEM, now=utcnow())
    db.session.commit()
    click.echo(f"Purged {event.slug}: " + ", ".join(f"{k.rsplit('.', 1)[-1]} {v}" for k, v in retention.purge_counts.items()))
