"""Organiser and staff pages: attendance modes, join details, who joined online, marking by hand, revoking links."""
from __future__ import annotations

from flask import abort, redirect, render_template, url_for
from flask_babel import gettext, lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select

from ..accounts.permissions import Action, can
from ..events.access import managed_event
from ..events.models import AttendanceMode
from ..extensions import db
from ..forms import run_action
from ..inputs import page_arg
from ..navigation import register_manage_nav
from ..program.models import ProgramSession, SessionDelivery
from ..registration.models import PlaceKind, Registration, RegistrationCategory
from ..types import utcnow
from . import access, follow_up, queries, services
from .blueprint import bp
from .forms import AS_EVENT, FollowUpLinksForm, JoinDetailsForm, MarkAttendedForm, modes_form
from .models import AttendanceSource, JoinDetails, OnlineAttendance

register_manage_nav(_l("Online"), "online.manage_overview", Action.CHECK_IN, order=45, prefix="online.manage")


@bp.app_template_global("online_live_counts")
def live_counts(event):
    """For the check-in dashboard (another domain's page): online figures, None for an in-person
    event nobody joined online."""
    figures = queries.online_figures(event)
    if event.attendance_mode == AttendanceMode.IN_PERSON and not figures.joined:
        return None
    return figures


def _categories(event):
    return list(db.session.scalars(select(RegistrationCategory).where(RegistrationCategory.event_id == event.id)
                                   .order_by(RegistrationCategory.position, RegistrationCategory.id)))


def _sessions(event):
    return list(db.session.scalars(select(ProgramSession).where(ProgramSession.event_id == event.id)
                                   .order_by(ProgramSession.starts_at, ProgramSession.id)))


@bp.route("/manage/<slug>/online/")
@login_required
def manage_overview(slug: str):
    """Staff and organisers: the join details (staff may need them to help people in), the
    figures, and who joined."""
    event = managed_event(slug, Action.CHECK_IN)
    targets = access.join_targets(event)
    details = list(db.session.scalars(select(JoinDetails).where(JoinDetails.event_id == event.id)))
    page = page_arg()
    rows, pages = queries.attendee_rows(event, page=page)
    return render_template(
        "online/manage_overview.html", event=event, targets=targets, details=details,
        sessions={s.id: s for s in _sessions(event)}, figures=queries.online_figures(event),
        rows=rows, page=min(page, pages), pages=pages, organiser=can(current_user, Action.MANAGE_REGISTRATIONS, event),
        editor=can(current_user, Action.EDIT_EVENT, event), mark_form=MarkAttendedForm(targets=targets),
    )


@bp.route("/manage/<slug>/online/modes", methods=["GET", "POST"])
@login_required
def manage_modes(slug: str):
    event = managed_event(slug, Action.EDIT_EVENT)
    categories, sessions = _categories(event), _sessions(event)
    form = modes_form(event, categories=categories, sessions=sessions)
    if form.validate_on_submit():
        change = lambda: services.set_attendance_modes(  # noqa: E731
            event, AttendanceMode(form.mode.data),
            categories={c.id: PlaceKind(field.data) for c, field in form.category_fields},
            sessions={s.id: (SessionDelivery(field.data) if field.data != AS_EVENT else None) for s, field in form.session_fields},
            actor=current_user)
        if run_action(change, gettext("Saved."), form=form):
            return redirect(url_for("online.manage_overview", slug=slug))
    return render_template("online/manage_modes.html", event=event, form=form), (422 if form.errors else 200)


def session_of(event, session_id: int | None):
    if session_id is None:
        return None
    session = db.session.get(ProgramSession, session_id)
    if session is None or session.event_id != event.id:
        abort(404)
    return session


@bp.route("/manage/<slug>/online/join", methods=["GET", "POST"], defaults={"session_id": None})
@bp.route("/manage/<slug>/online/join/<int:session_id>", methods=["GET", "POST"])
@login_required
def manage_join_details(slug: str, session_id: int | None):
    event = managed_event(slug, Action.EDIT_EVENT)
    session = session_of(event, session_id)
    existing = _existing_details(event, session)
    form = JoinDetailsForm(obj=existing)
    if form.validate_on_submit():
        data = services.JoinDetailsData(
            meeting_url=form.meeting_url.data or "", dial_in_numbers=form.dial_in_numbers.data or "",
            access_code=form.access_code.data or "", instructions=form.instructions.data or "",
            reveal_minutes=form.reveal_minutes.data, in_person_may_join=form.in_person_may_join.data)
        if run_action(lambda: services.save_join_details(event, data, session=session, actor=current_user),
                      gettext("Join details saved."), form=form):
            return redirect(url_for("online.manage_overview", slug=slug))
    return join_details_page(event, session, form=form)


def _existing_details(event, session):
    return db.session.scalar(select(JoinDetails).where(
        JoinDetails.event_id == event.id,
        JoinDetails.session_id == session.id if session else JoinDetails.session_id.is_(None)))


def join_details_page(event, session, *, form=None, links_form=None):
    """The join details form and, below it, the recording and materials form (follow_up)."""
    existing = _existing_details(event, session)
    form = form or JoinDetailsForm(obj=existing, formdata=None)
    links_form = links_form or FollowUpLinksForm(obj=follow_up.links_for(event, session), formdata=None)
    failed = bool(form.errors or links_form.errors)
    return render_template("online/manage_join_details.html", event=event, session=session, form=form,
                           existing=existing, links_form=links_form), (422 if failed else 200)


@bp.route("/manage/<slug>/online/join/<int:details_id>/remove", methods=["POST"])
@login_required
def manage_join_details_remove(slug: str, details_id: int):
    event = managed_event(slug, Action.EDIT_EVENT)
    details = db.session.get(JoinDetails, details_id)
    if details is None or details.event_id != event.id:
        abort(404)
    run_action(lambda: services.remove_join_details(details, actor=current_user), gettext("Join details removed."))
    return redirect(url_for("online.manage_overview", slug=slug))


def _registration_of(event, registration_id) -> Registration:
    registration = db.session.get(Registration, registration_id) if registration_id else None
    if registration is None or registration.event_id != event.id:
        abort(404)
    return registration


@bp.route("/manage/<slug>/online/attendance", methods=["POST"])
@login_required
def manage_mark_attended(slug: str):
    """Phone participants and people whose link failed: an organiser marks them as attended online."""
    event = managed_event(slug, Action.MANAGE_REGISTRATIONS)
    targets = access.join_targets(event)
    form = MarkAttendedForm(targets=targets)
    if not form.validate_on_submit():
        abort(400)
    registration = _registration_of(event, form.registration_id.data)
    session_id = int(form.target.data) or None
    run_action(lambda: services.record_attendance(registration, session_id, now=utcnow(), actor=current_user,
                                                  source=AttendanceSource.MANUAL),
               lambda result: gettext("Marked as attended online.") if result.first else gettext("Already counted as attended online."))
    return redirect(url_for("online.manage_overview", slug=slug))


@bp.route("/manage/<slug>/online/attendance/<int:attendance_id>/remove", methods=["POST"])
@login_required
def manage_unmark_attended(slug: str, attendance_id: int):
    event = managed_event(slug, Action.MANAGE_REGISTRATIONS)
    attendance = db.session.get(OnlineAttendance, attendance_id)
    if attendance is None or attendance.event_id != event.id:
        abort(404)
    run_action(lambda: services.unmark_attendance(attendance, actor=current_user), gettext("Attendance removed."))
    return redirect(url_for("online.manage_overview", slug=slug))


@bp.route("/manage/<slug>/online/registrations/<int:registration_id>/revoke", methods=["POST"])
@login_required
def manage_revoke_links(slug: str, registration_id: int):
    event = managed_event(slug, Action.MANAGE_REGISTRATIONS)
    registration = _registration_of(event, registration_id)
    run_action(lambda: services.revoke_join_links(registration, actor=current_user, now=utcnow()),
               gettext("The join links sent to %(name)s no longer work; their ticket page shows new ones.",
                       name=registration.full_name))
    return redirect(url_for("online.manage_overview", slug=slug))
