"""`flask webhooks ...`: seal the endpoints' signing secrets at rest."""
from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from ..extensions import db
from ..sealing import reseal
from .models import WebhookEndpoint

cli = AppGroup("webhooks", help="Outgoing webhooks.")


@cli.command("seal-secrets")
def seal_secrets_command() -> None:
    """Seal every signing secret under the current SECRET_KEY: plain ones left by code older than
    sealing (run after a deploy), and ones sealed under a key now in SECRET_KEY_FALLBACKS."""
    endpoints = list(db.session.scalars(select(WebhookEndpoint).with_for_update()))
    for endpoint in endpoints:
        endpoint.sealed_secret = reseal(endpoint.sealed_secret)
    db.session.commit()
    click.echo(f"Sealed {len(endpoints)} signing secret(s).")
