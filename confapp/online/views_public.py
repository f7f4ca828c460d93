"""The attendee's side: the join panel on the ticket page and the personal join link /j/<token>.

GET /j/<token> only reads: it says whose link it is (a forwarded link shows its owner's name)
and, once the meeting is open, offers a button. The POST records the attendance, then the page
it answers sends the browser on to the meeting (a meta refresh and a link: the site's CSP
`form-action` would refuse a redirect from a form to another site)."""
from __future__ import annotations

from flask import abort, current_app, render_template

from ..errors import DomainError
from ..events.content_languages import use_event_language
from ..extensions import db, limiter
from ..forms import Form
from ..types import utcnow
from . import access, calendar, emails, services  # noqa: F401  (calendar and emails register their additions)
from .blueprint import bp


def _rate_limit() -> str:
    return current_app.config["REGISTRATION_RATE_LIMIT"]


@bp.app_template_global("online_join_panel")
def join_panel(registration, event, token=None):
    """For the ticket page (another domain's view): what this attendee may join, with their
    personal links and, once revealed, the dial-in details. Empty when nothing applies."""
    targets = access.targets_for(registration, event)
    if not targets:
        return []
    generation = access.link_generation(registration)
    now = utcnow()
    return [{"target": t, "revealed": t.revealed(now),
             "token": access.join_token(registration, t.session_id, generation=generation)} for t in targets]


class JoinForm(Form):
    """The join page's button: only its CSRF token."""


def _opened(token: str):
    try:
        return access.open_link(token), None
    except DomainError as error:
        db.session.rollback()
        return None, (render_template("online/join_refused.html", message=error.message), error.status_code)


@bp.route("/j/<token>", methods=["GET", "POST"])
@limiter.limit(_rate_limit, methods=["POST"])
def join_page(token: str):
    opened, refused = _opened(token)
    if refused:
        return refused
    target, now = opened.target, utcnow()
    use_event_language(opened.event)  # the session's title in the event's content language
    form = JoinForm()
    context = dict(opened=opened, event=opened.event, registration=opened.registration, target=target, form=form,
                   token=token, revealed=target.revealed(now))
    if form.is_submitted():
        if not form.validate():
            abort(400)
        if not target.revealed(now):
            return render_template("online/join.html", **context), 409
        try:
            services.record_attendance(opened.registration, target.session_id, now=now)
        except DomainError as error:
            db.session.rollback()
            return render_template("online/join_refused.html", message=error.message), error.status_code
        db.session.commit()
        return render_template("online/join_go.html", **context, meeting_url=target.details.meeting_url)
    return render_template("online/join.html", **context)
