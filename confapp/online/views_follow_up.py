"""After the session: the organiser saves recording and materials links (on the join details
page) and sends the follow-up email; attendees and the public see the links the organiser
chose to show them (template globals for other domains' pages)."""
from __future__ import annotations

from flask import redirect, render_template, url_for
from flask_babel import gettext
from flask_login import current_user, login_required

from ..accounts.permissions import Action
from ..events.access import managed_event
from ..forms import run_action
from ..types import utcnow
from . import follow_up
from .blueprint import bp
from .forms import FollowUpEmailForm, FollowUpLinksForm
from .views_manage import join_details_page, session_of


@bp.app_template_global("online_follow_up_links")
def follow_up_links(event, registration=None, session=None):
    """For the ticket page and the public event and session pages: the recording and materials
    links this viewer may see (public ones; registered-only ones too with a confirmed `registration`)."""
    return follow_up.visible_links(event, registration=registration, session=session)


@bp.route("/manage/<slug>/online/join/links", methods=["POST"], defaults={"session_id": None})
@bp.route("/manage/<slug>/online/join/<int:session_id>/links", methods=["POST"])
@login_required
def manage_follow_up_links(slug: str, session_id: int | None):
    event = managed_event(slug, Action.EDIT_EVENT)
    session = session_of(event, session_id)
    form = FollowUpLinksForm()
    if form.validate_on_submit():
        data = follow_up.LinksData(form.recording_url.data or "", form.materials.data or "", form.visibility.data)
        if run_action(lambda: follow_up.save_links(event, data, session=session, actor=current_user),
                      gettext("Recording and materials saved."), form=form):
            return redirect(url_for("online.manage_overview", slug=slug))
    return join_details_page(event, session, links_form=form)


@bp.route("/manage/<slug>/online/follow-up", methods=["GET", "POST"])
@login_required
def manage_follow_up(slug: str):
    """The follow-up email: the links filled in, to everyone registered or only those who attended."""
    event = managed_event(slug, Action.SEND_MESSAGES)
    form = FollowUpEmailForm()
    if not form.is_submitted():
        form.subject.data, form.body.data = follow_up.follow_up_subject(), follow_up.follow_up_body(event)
    if form.validate_on_submit():
        sent = run_action(lambda: follow_up.send_follow_up(event, audience=form.audience.data, subject=form.subject.data,
                                                          body=form.body.data, actor=current_user, now=utcnow()),
                          gettext("Sending the follow-up email. This page shows the progress."), form=form, fallback=form.body)
        if sent:
            return redirect(url_for("outreach.manage_message", slug=slug, message_id=sent.result.id))
    links = follow_up.visible_links(event, everything=True)
    return render_template("online/manage_follow_up.html", event=event, form=form, links=links), (422 if form.errors else 200)
