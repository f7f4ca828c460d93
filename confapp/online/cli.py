"""`flask online ...`: what the online jobs do, run by hand."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from ..types import utcnow

cli = AppGroup("online", help="Online events and webcast series.")


@cli.command("create-editions")
@click.option("--ahead", default=None, type=click.IntRange(1, 12), help="Editions to keep ahead (default 3).")
def create_editions_command(ahead: int | None) -> None:
    """Create every active series' next editions (what the hourly job does)."""
    from . import series, series_schedule

    made = series_schedule.create_due_editions(now=utcnow(), ahead=ahead or series.DEFAULT_AHEAD)
    click.echo(f"Created {sum(len(ids) for ids in made.values())} edition(s) in {len(made)} series.")
