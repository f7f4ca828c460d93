"""`flask payments ...`: check the Stripe set-up and run the housekeeping job by hand."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

cli = AppGroup("payments", help="Stripe payments.")


@cli.command("check")
def check_command() -> None:
    """Say whether card payments are configured (never prints the secrets)."""
    config = current_app.config
    key = config.get("STRIPE_SECRET_KEY") or ""
    problems = []
    if not key:
        problems.append("STRIPE_SECRET_KEY is not set: card payments are off.")
    elif not key.startswith(("sk_", "rk_")):
        problems.append("STRIPE_SECRET_KEY does not look like a Stripe secret or restricted key.")
    if not (config.get("STRIPE_WEBHOOK_SECRET") or "").startswith("whsec_"):
        problems.append("STRIPE_WEBHOOK_SECRET is not a webhook signing secret (whsec_...): no payment would be confirmed.")
    mode = "test" if "_test_" in key else "live" if key else "off"
    click.echo(f"Stripe mode: {mode}")
    click.echo(f"Webhook URL: {config.get('BASE_URL', '').rstrip('/')}/payments/stripe/webhook")
    for problem in problems:
        click.echo(f"  ! {problem}")
    if problems:
        raise SystemExit(1)
    click.echo("Card payments are configured.")


@cli.command("reconcile")
def reconcile_command() -> None:
    """Resend refunds whose job was lost and close stale payment pages (the job does this every 10 minutes)."""
    from .tasks import reconcile

    counts = reconcile()
    click.echo(", ".join(f"{name.replace('_', ' ')}: {value}" for name, value in counts.items()))
