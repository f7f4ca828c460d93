"""Organiser pages for events: dashboard, create, edit, publish, archive, copy, team."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext, ngettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from ..accounts import permissions, services as account_services
from ..accounts.forms import ConfirmForm, GrantRoleForm, InviteForm
from ..accounts.models import Role, User
from ..accounts.permissions import Action
from ..accounts.queries import event_team
from ..errors import DomainError
from ..extensions import db
from ..forms import run_action
from . import services
from .access import managed_event
from .content_languages import other_languages
from .forms import CopyEventForm, EventForm, SeriesForm
from .models import EventStatus
from .translation_forms import translated_form
from .queries import all_series, dashboard_events
from .blueprint import bp
from ..navigation import register_manage_nav
from ..program import moving
from ..program.moving import EventMove
from ..registration.emails import change_notice_recipients
from ..types import utcnow

register_manage_nav(_l("Overview"), "events.manage_overview", Action.CHECK_IN, order=0)
register_manage_nav(_l("Details"), "events.manage_edit", Action.EDIT_EVENT, order=10, prefix="events.manage_edit")
register_manage_nav(_l("Team"), "events.manage_team", Action.MANAGE_ROLES, order=80)


@bp.route("/manage/")
@login_required
def dashboard():
    upcoming, past = dashboard_events(current_user)
    return render_template("events/dashboard.html", upcoming=upcoming, past=past)


@bp.route("/manage/events/new", methods=["GET", "POST"])
@login_required
def manage_create():
    if not permissions.can_create_event(current_user):
        abort(403)
    form = EventForm(series=all_series())
    if form.validate_on_submit():
        done = run_action(lambda: services.create_event(form.to_data(), actor=current_user),
                          gettext("Event created as a draft. Publish it when it is ready."), form=form)
        if done:
            return redirect(url_for("events.manage_overview", slug=done.result.slug))
    return render_template("events/manage_form.html", form=form, event=None)


@bp.route("/manage/<slug>/")
@login_required
def manage_overview(slug: str):
    event = managed_event(slug, Action.CHECK_IN)
    return render_template("events/manage_overview.html", event=event, confirm_form=ConfirmForm())


@bp.route("/manage/<slug>/edit", methods=["GET", "POST"])
@login_required
def manage_edit(slug: str):
    event = managed_event(slug, Action.EDIT_EVENT)
    registered = len(change_notice_recipients(event)) if event.status == EventStatus.PUBLISHED else 0
    form = translated_form(EventForm, other_languages(event), services.TRANSLATED_FIELDS)(
        series=all_series(), registered=registered)
    if request.method == "GET":
        form.load(event)
    if form.validate_on_submit():
        done = run_action(lambda: _update_and_move(event, form), _saved, form=form)
        if done:
            _warn_outside(done.result)
            return redirect(url_for("events.manage_overview", slug=event.slug))
    return render_template("events/manage_form.html", form=form, event=event)


def _update_and_move(event, form) -> EventMove:
    """The edit, its new dates first through program.moving (the event's row locked and read
    again, its sessions moved by the same shift), and in the same transaction, when the start or
    end moved and the organiser kept the box ticked, the change notices and the reminders already
    sent armed again for the new date (unticked, nobody is mailed about it)."""
    data = form.to_data()
    move = moving.move_event(event, data.starts_at, data.ends_at, actor=current_user, now=utcnow(),
                             notify=form.tells_registered, check_registration=False)
    zone = event.timezone
    services.update_event(event, data, actor=current_user)
    if move.moved and event.timezone != zone:
        move.outside = moving.sessions_outside(event)  # the event's days, in its new time zone
    return move


def _saved(move: EventMove) -> str:
    if not move.told:
        saved = gettext("Changes saved.")
    else:
        saved = ngettext("Changes saved. The %(num)d person registered will be told of the new date and time.",
                         "Changes saved. The %(num)d people registered will be told of the new date and time.", move.told)
    parts = [saved]
    if move.sessions_moved:
        parts.append(ngettext("%(num)d session of the programme moved with the event.",
                              "%(num)d sessions of the programme moved with the event.", move.sessions_moved))
    if move.categories_moved:
        parts.append(ngettext("%(num)d category's sales window moved with the event.",
                              "%(num)d categories' sales windows moved with the event.", move.categories_moved))
    return " ".join(parts)


def _warn_outside(move: EventMove) -> None:
    if move.outside:
        flash(ngettext("%(num)d session is now outside the event's dates: %(titles)s. Move it on the timetable.",
                       "%(num)d sessions are now outside the event's dates: %(titles)s. Move them on the timetable.",
                       len(move.outside), titles=", ".join(f"“{s.title}”" for s in move.outside)), "warning")


def _state_change(slug: str, change, message: str):
    event = managed_event(slug, Action.PUBLISH_EVENT)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    run_action(lambda: change(event, actor=current_user), message)
    return redirect(url_for("events.manage_overview", slug=event.slug))


@bp.route("/manage/<slug>/publish", methods=["POST"])
@login_required
def manage_publish(slug: str):
    return _state_change(slug, services.publish_event, gettext("The event is published and listed publicly."))


@bp.route("/manage/<slug>/unpublish", methods=["POST"])
@login_required
def manage_unpublish(slug: str):
    return _state_change(slug, services.unpublish_event, gettext("The event is back in draft and hidden from the public."))


@bp.route("/manage/<slug>/archive", methods=["POST"])
@login_required
def manage_archive(slug: str):
    return _state_change(slug, services.archive_event, gettext("The event is archived."))


@bp.route("/manage/<slug>/copy", methods=["GET", "POST"])
@login_required
def manage_copy(slug: str):
    event = managed_event(slug, Action.EDIT_EVENT)
    form = CopyEventForm()
    if request.method == "GET":
        form.title.data = event.title
        local_start = event.starts_at.astimezone(event.tz)
        form.starts_at.data = local_start.replace(year=local_start.year + 1, tzinfo=None)
    if form.validate_on_submit():
        starts_at: datetime = form.starts_at.data.replace(tzinfo=ZoneInfo(event.timezone))
        done = run_action(lambda: services.copy_event(
            event, title=form.title.data.strip(), starts_at=starts_at,
            edition_label=(form.edition_label.data or "").strip(), actor=current_user,
        ), gettext("New edition created as a draft with the previous edition's settings."), form=form)
        if done:
            return redirect(url_for("events.manage_overview", slug=done.result.slug))
    return render_template("events/manage_copy.html", form=form, event=event)


@bp.route("/manage/<slug>/team", methods=["GET", "POST"])
@login_required
def manage_team(slug: str):
    event = managed_event(slug, Action.MANAGE_ROLES)
    form = InviteForm()
    if form.validate_on_submit() and run_action(
            lambda: account_services.invite_to_role(event, form.email.data, Role(form.role.data), actor=current_user),
            gettext("Invitation sent. It is valid for 14 days."), form=form):
        return redirect(url_for("events.manage_team", slug=slug))
    return _team_page(event, form, GrantRoleForm(formdata=None, prefix="grant"))


def _team_page(event, form, grant_form):
    roles, invitations = event_team(event.id)
    return render_template("events/manage_team.html", event=event, form=form, grant_form=grant_form, roles=roles,
                           invitations=invitations, confirm_form=ConfirmForm())


@bp.route("/manage/<slug>/team/grant", methods=["POST"])
@login_required
def manage_team_grant(slug: str):
    event = managed_event(slug, Action.MANAGE_ROLES)
    if not current_user.is_site_admin:
        abort(403)
    form = GrantRoleForm(prefix="grant")
    if form.validate_on_submit():
        user = account_services.find_user_by_email(form.email.data)
        if user is None:
            form.email.errors.append(gettext("No account uses that email. Send an invitation instead."))
        else:
            try:
                account_services.grant_role(event, user, Role(form.role.data), actor=current_user)
            except DomainError as error:
                db.session.rollback()
                form.email.errors.append(error.message)
            else:
                db.session.commit()
                flash(gettext("%(name)s is now %(role)s for this event.", name=user.name, role=Role(form.role.data).label.lower()), "success")
                return redirect(url_for("events.manage_team", slug=slug))
    return _team_page(event, InviteForm(formdata=None), form), 422


@bp.route("/manage/<slug>/team/<int:user_id>/remove", methods=["POST"])
@login_required
def manage_team_remove(slug: str, user_id: int):
    event = managed_event(slug, Action.MANAGE_ROLES)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    user = db.session.get(User, user_id) or abort(404)
    run_action(lambda: account_services.revoke_role(event, user, actor=current_user), gettext("Role removed."))
    return redirect(url_for("events.manage_team", slug=slug))


@bp.route("/manage/series/new", methods=["GET", "POST"])
@login_required
def series_create():
    if not permissions.can_create_event(current_user):
        abort(403)
    form = SeriesForm()
    if form.validate_on_submit() and run_action(
            lambda: services.create_series(form.name.data, description=form.description.data or "", actor=current_user),
            gettext("Series created. Choose it when you create or edit an edition."), form=form):
        return redirect(url_for("events.dashboard"))
    return render_template("events/series_form.html", form=form)
