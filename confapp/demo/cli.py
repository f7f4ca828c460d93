from __future__ import annotations

import click
from flask.cli import AppGroup

from ..extensions import db
from ..types import utcnow
from . import DEMO_PASSWORD, database_is_empty, load_demo
from .accounts import DEMO_LOGINS

cli = AppGroup("demo", help="Demo data.")


def print_logins() -> None:
    click.echo("Demo logins (password for all: %s):" % DEMO_PASSWORD)
    for _key, email, name, _admin in DEMO_LOGINS:
        click.echo(f"  {email:38} {name}")


@cli.command("load")
@click.option("--if-empty", is_flag=True, help="Only load when the database has no events yet.")
def load_command(if_empty: bool) -> None:
    """Load the demo convenings, people and logins."""
    if if_empty and not database_is_empty():
        click.echo("Database already has events; demo data not loaded.")
        print_logins()
        return
    ctx = load_demo(utcnow())
    db.session.commit()
    click.echo("Demo data loaded.")
    print_logins()
    # Steps may leave one-time facts to print (e.g. a volunteer link, whose token is stored hashed).
    for note in ctx.extra.get("notes", []):
        click.echo(note)


@cli.command("logins")
def logins_command() -> None:
    """Print the demo logins."""
    print_logins()
