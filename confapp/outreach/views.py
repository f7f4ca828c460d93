"""The outreach blueprint: public unsubscribe pages here; organiser pages in views_manage.py."""
from __future__ import annotations

from flask import render_template, request

from ..errors import NotFound
from ..extensions import csrf, db
from ..types import utcnow
from . import unsubscribe as unsubscribing
from .blueprint import bp



@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt  # RFC 8058 one-click: mail clients POST without our form; the signed token is the credential
def unsubscribe(token: str):
    try:
        address, event_id = unsubscribing.read_token(token)
    except NotFound:
        return render_template("outreach/unsubscribe.html", invalid=True, done=False, token=token), 404
    if request.method == "POST":
        everything = request.form.get("scope") == "all"
        unsubscribing.unsubscribe(token, everything=everything, now=utcnow())
        db.session.commit()
        return render_template("outreach/unsubscribe.html", invalid=False, done=True, everything=everything,
                               token=token)
    from ..events.models import Event

    event = db.session.get(Event, event_id)
    return render_template("outreach/unsubscribe.html", invalid=False, done=False, token=token, event=event)


