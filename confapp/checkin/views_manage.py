"""Organiser and staff pages for check-in: lists, volunteer links, the desk, the live dashboard, badges."""
from __future__ import annotations

from flask_babel import gettext, lazy_gettext as _l
from flask import Response, abort, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from ..accounts.forms import ConfirmForm
from ..accounts.permissions import Action, can
from ..events.access import managed_event
from ..extensions import csrf, db
from ..forms import run_action
from ..inputs import as_id
from ..navigation import register_manage_nav
from ..registration.models import RegistrationCategory
from ..types import utcnow
from ..urls import external_url
from . import badges as badge_pdf
from . import queries, services
from .forms import LinkForm, ListForm
from .models import CheckInList, ListKind, VolunteerLink
from .blueprint import bp
from .desk_access import desk_for_request as _desk
from .desk_strings import desk_strings

register_manage_nav(_l("Check-in"), "checkin.manage_index", Action.CHECK_IN, order=40, prefix="checkin.")


def _categories(event) -> list[RegistrationCategory]:
    return list(db.session.scalars(
        select(RegistrationCategory).where(RegistrationCategory.event_id == event.id)
        .order_by(RegistrationCategory.position, RegistrationCategory.id)
    ))


def _sessions(event):
    from ..program.models import ProgramSession

    return list(db.session.scalars(
        select(ProgramSession).where(ProgramSession.event_id == event.id).order_by(ProgramSession.starts_at, ProgramSession.title)
    ))


def _list_of(event, list_id: int | None) -> CheckInList:
    checkin_list = db.session.get(CheckInList, list_id) if list_id is not None else None
    if checkin_list is None or checkin_list.event_id != event.id:
        abort(404)
    return checkin_list


def _index(event, *, list_form=None, link_form=None, new_link_url=None, status=200):
    lists = queries.lists_for(event)
    categories = _categories(event)
    organiser = can(current_user, Action.MANAGE_CHECKIN, event)
    if organiser:
        list_form = list_form or ListForm(categories=categories, sessions=_sessions(event), prefix="list")
        link_form = link_form or LinkForm(lists=lists, prefix="link")
    return render_template(
        "checkin/manage_index.html", event=event, lists=lists, organiser=organiser, list_form=list_form,
        link_form=link_form, links=queries.links_for(event) if organiser else [], categories=categories,
        new_link_url=new_link_url, confirm_form=ConfirmForm(), now=utcnow(), layouts=list(badge_pdf.Layout),
    ), status


@bp.route("/manage/<slug>/checkin/")
@login_required
def manage_index(slug: str):
    event = managed_event(slug, Action.CHECK_IN)
    # A link just created is shown once, on the page the creating POST redirected to (a reload shows it no more).
    new = session.pop(NEW_LINK_KEY, None)
    new_link_url = new["url"] if isinstance(new, dict) and new.get("event_id") == event.id else None
    return _index(event, new_link_url=new_link_url)


NEW_LINK_KEY = "checkin_new_link"


@bp.route("/manage/<slug>/checkin/lists", methods=["POST"])
@login_required
def manage_list_create(slug: str):
    event = managed_event(slug, Action.MANAGE_CHECKIN)
    form = ListForm(categories=_categories(event), sessions=_sessions(event), prefix="list")
    if form.validate_on_submit() and run_action(lambda: services.create_list(
            event, name=form.name.data, kind=ListKind(form.kind.data), category_ids=form.categories.data,
            capacity=form.capacity.data, program_session_id=form.program_session_id.data or None,
            actor=current_user, now=utcnow()), "List created.", form=form):
        return redirect(url_for("checkin.manage_index", slug=slug))
    return _index(event, list_form=form, status=422)


@bp.route("/manage/<slug>/checkin/links", methods=["POST"])
@login_required
def manage_link_create(slug: str):
    event = managed_event(slug, Action.MANAGE_CHECKIN)
    form = LinkForm(lists=queries.lists_for(event), prefix="link")
    tz = event.tz
    done = form.validate_on_submit() and run_action(lambda: services.create_volunteer_link(
        _list_of(event, form.list_id.data), name=form.name.data,
        valid_from=form.valid_from.data.replace(tzinfo=tz), valid_until=form.valid_until.data.replace(tzinfo=tz),
        actor=current_user, now=utcnow(),
    ), None, form=form)
    if not done:
        return _index(event, link_form=form, status=422)
    _, token = done.result
    # The token exists in clear only until the next page shows it: the database keeps its hash.
    # Redirect after POST, so reloading that page never creates a second link.
    session[NEW_LINK_KEY] = {"event_id": event.id, "url": external_url("checkin.link_desk", token=token)}
    return redirect(url_for("checkin.manage_index", slug=slug), code=303)


@bp.route("/manage/<slug>/checkin/links/<int:link_id>/revoke", methods=["POST"])
@login_required
def manage_link_revoke(slug: str, link_id: int):
    event = managed_event(slug, Action.MANAGE_CHECKIN)
    link = db.session.get(VolunteerLink, link_id)
    if link is None or link.event_id != event.id:
        abort(404)
    run_action(lambda: services.revoke_volunteer_link(link, actor=current_user, now=utcnow()),
               gettext("The link “%(name)s” no longer works.", name=link.name))
    return redirect(url_for("checkin.manage_index", slug=slug))


@bp.route("/manage/<slug>/checkin/desk/<int:list_id>")
@login_required
def manage_desk(slug: str, list_id: int):
    event = managed_event(slug, Action.CHECK_IN)
    checkin_list = _list_of(event, list_id)
    return render_template(
        "checkin/desk.html", event=event, checkin_list=checkin_list, link=None, link_token=None,
        api_base=url_for("checkin.api.search", list_id=checkin_list.id).rsplit("/", 1)[0],
        station="", categories=queries.walk_in_categories(checkin_list), desk_strings=desk_strings(),
    )


@bp.route("/manage/<slug>/checkin/dashboard")
@login_required
def manage_dashboard(slug: str):
    event = managed_event(slug, Action.MANAGE_CHECKIN)
    lists = queries.lists_for(event)
    focus = _list_of(event, as_id(request.args.get("list"))) if request.args.get("list") else (lists[0] if lists else None)
    data = queries.stats(event, focus=focus)
    return render_template("checkin/dashboard.html", event=event, lists=lists, focus=focus, stats=data,
                           desk_strings=desk_strings())


@bp.route("/manage/<slug>/checkin/badges.pdf", methods=["POST"])
@login_required
def manage_badges(slug: str):
    event = managed_event(slug, Action.MANAGE_CHECKIN)
    try:
        layout = badge_pdf.Layout(request.form.get("layout", "a4"))
    except ValueError:
        abort(400)
    badges = badge_pdf.badges_for(event, category_id=as_id(request.form.get("category")),
                                  not_yet_printed=request.form.get("which") == "unprinted")
    pdf = badge_pdf.render_pdf(event, badges, layout)
    badge_pdf.record_prints(event, badges, layout, actor=current_user, now=utcnow())
    db.session.commit()
    return _pdf(pdf, f"badges-{event.slug}-{layout.value}.pdf")


@bp.route("/checkin/desk/<int:list_id>/badge", methods=["POST"])
@bp.route("/checkin/v/<token>/badge", methods=["POST"])
@csrf.exempt  # a staff session is checked for its CSRF token in _desk; a link's token is the credential
def desk_badge(list_id: int | None = None, token: str | None = None):
    """One A6 badge from the desk (staff session or volunteer link)."""
    checkin_list, actor = _desk(list_id, token)
    registration_id = as_id(request.form.get("registration_id"))
    badges = badge_pdf.badges_for(checkin_list.event, registration_ids=[registration_id])
    if not badges:
        abort(404)
    pdf = badge_pdf.render_pdf(checkin_list.event, badges, badge_pdf.Layout.A6)
    badge_pdf.record_prints(checkin_list.event, badges, badge_pdf.Layout.A6, actor=actor, now=utcnow())
    db.session.commit()
    return _pdf(pdf, "badge.pdf")


def _pdf(data: bytes, filename: str) -> Response:
    return Response(data, mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{filename}"', "Cache-Control": "no-store"})
