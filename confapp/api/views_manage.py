"""The organiser's API token pages: list, create (the secret is shown once), revoke."""
from __future__ import annotations

from datetime import datetime, time, timedelta, timezone

from flask import abort, redirect, render_template, url_for
from flask_babel import gettext, lazy_gettext as _l
from flask_login import current_user, login_required

from ..accounts.forms import ConfirmForm
from ..accounts.permissions import Action
from ..events.access import managed_event
from ..extensions import db
from ..forms import run_action
from ..navigation import register_manage_nav
from ..types import utcnow
from . import queries, tokens
from .blueprint import bp
from .forms import SCOPE_LABELS, TokenForm
from .models import ApiToken, Scope

register_manage_nav(_l("API tokens"), "api.token_list", Action.MANAGE_ROLES, order=85, prefix="api.token_")


def _expiry(event, day) -> datetime | None:
    """The end of `day` in the event's time zone: the token works through its last day."""
    if day is None:
        return None
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=event.tz).astimezone(timezone.utc)


@bp.route("/manage/<slug>/api-tokens", methods=["GET", "POST"])
@login_required
def token_list(slug: str):
    event = managed_event(slug, Action.MANAGE_ROLES)
    form = TokenForm()
    if form.validate_on_submit():
        done = run_action(lambda: tokens.create_token(
            event, name=form.name.data, scopes=form.scopes.data, expires_at=_expiry(event, form.expires_on.data),
            actor=current_user, now=utcnow()), None, form=form, fallback=form.expires_on)
        if done:
            token, secret = done.result
            return render_template("api/token_created.html", event=event, token=token, secret=secret,
                                   scope_labels=_scope_labels(token))
    return render_template("api/token_list.html", event=event, form=form, tokens=queries.event_tokens(event),
                           scope_labels=_scope_labels, confirm_form=ConfirmForm(), now=utcnow())


def _scope_labels(token: ApiToken) -> list[str]:
    return [str(SCOPE_LABELS[Scope(scope)]) for scope in token.scopes if scope in Scope._value2member_map_]


@bp.route("/manage/<slug>/api-tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def token_revoke(slug: str, token_id: int):
    event = managed_event(slug, Action.MANAGE_ROLES)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    token = db.session.get(ApiToken, token_id)
    if token is None or token.event_id != event.id:
        abort(404)
    run_action(lambda: tokens.revoke_token(token, actor=current_user, now=utcnow()),
               gettext("Token revoked: it no longer works."))
    return redirect(url_for("api.token_list", slug=slug))
