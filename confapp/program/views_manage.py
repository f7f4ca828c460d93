"""Organiser pages for the programme: timetable grid, sessions, rooms and tracks, speakers."""
from __future__ import annotations

from datetime import datetime

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user, login_required

from ..accounts.permissions import Action
from ..events.access import managed_event
from ..events.content_languages import other_languages
from ..events.translation_forms import translated_form
from ..extensions import db
from ..forms import run_action
from ..inputs import as_id
from ..navigation import register_manage_nav
from . import queries, services, speakers as speaker_services
from .forms import AssignSpeakerForm, ConfirmForm, PublishForm, RoomForm, SessionForm, SpeakerForm, TrackForm
from .models import Room, SessionSpeaker, Track
from .blueprint import bp

register_manage_nav(_l("Programme"), "program.manage_timetable", Action.MANAGE_PROGRAM, order=20, prefix="program.manage_")

PREFIX = "/manage/<slug>/programme"


def _event(slug: str):
    return managed_event(slug, Action.MANAGE_PROGRAM)


def _flash_warnings(warnings) -> None:
    for warning in warnings:
        flash(_("Warning: %(message)s", message=warning.message), "warning")


def _require_post_form() -> None:
    if not ConfirmForm().validate_on_submit():
        abort(400)


# --- timetable and sessions ------------------------------------------------------------------

@bp.route(f"{PREFIX}/")
@login_required
def manage_timetable(slug: str):
    event = _event(slug)
    return render_template("program/manage_timetable.html", event=event, timetable=queries.timetable(event),
                           publish_form=PublishForm(), confirm_form=ConfirmForm())


@bp.route(f"{PREFIX}/sessions/new", methods=["GET", "POST"])
@login_required
def manage_session_new(slug: str):
    event = _event(slug)
    form = _session_form(event)
    if request.method == "GET":
        _prefill_from_grid(form)
    if form.validate_on_submit():
        done = run_action(lambda: _saving_translations(form, services.create_session(event, form.to_data(), actor=current_user)),
                          lambda created: _("“%(title)s” is added as a draft.", title=created[0].title), form=form)
        if done:
            session, warnings = done.result
            _flash_warnings(warnings)
            return redirect(url_for("program.manage_session_edit", slug=event.slug, session_id=session.id))
    return render_template("program/manage_session_form.html", event=event, form=form, session=None)


def _session_form(event) -> SessionForm:
    form_class = translated_form(SessionForm, other_languages(event), services.SESSION_TEXTS)
    return form_class(event=event, rooms=queries.rooms_of(event), tracks=queries.tracks_of(event))


def _saving_translations(form, result):
    """Store the form's per-language texts on the row a service call saved (or (row, warnings))."""
    if hasattr(form, "save_translations"):
        form.save_translations(result[0] if isinstance(result, tuple) else result)
    return result


def _prefill_from_grid(form: SessionForm) -> None:
    """The grid's 'add here' links pass room, day and time; a form without JavaScript."""
    room = as_id(request.args.get("room"))
    if room is not None:
        form.room_id.data = room
    start = request.args.get("start", "")
    try:
        moment = datetime.fromisoformat(start)
    except ValueError:
        return
    form.day.data, form.starts.data = moment.date().isoformat(), moment.time()


@bp.route(f"{PREFIX}/sessions/<int:session_id>", methods=["GET", "POST"])
@login_required
def manage_session_edit(slug: str, session_id: int):
    event = _event(slug)
    session = queries.session_for_event(event, session_id) or abort(404)
    form = _session_form(event)
    if request.method == "GET":
        form.load(session)
        form.load_translations(session)
    if form.validate_on_submit():
        done = run_action(lambda: _saving_translations(form, services.update_session(
                              session, form.to_data(), actor=current_user, event=event)),
                          _("Changes saved."), form=form)
        if done:
            _flash_warnings(done.result[1])
            return redirect(url_for("program.manage_session_edit", slug=event.slug, session_id=session.id))
    return render_template(
        "program/manage_session_form.html", event=event, form=form, session=session,
        warnings=services.session_conflicts(session), publish_form=PublishForm(), confirm_form=ConfirmForm(),
        assign_form=AssignSpeakerForm(speakers=queries.speakers_of(event), prefix="assign"),
        signups=queries.signup_counts(event.id).get(session.id, 0),
    )


@bp.route(f"{PREFIX}/sessions/<int:session_id>/publish", methods=["POST"])
@login_required
def manage_session_publish(slug: str, session_id: int):
    event = _event(slug)
    session = queries.session_for_event(event, session_id) or abort(404)
    form = PublishForm()
    if not form.validate_on_submit():
        abort(400)
    run_action(lambda: services.publish_session(session, actor=current_user, event=event,
                                                acknowledge_warnings=form.acknowledge.data),
               _("“%(title)s” is published in the agenda.", title=session.title))
    return redirect(url_for("program.manage_session_edit", slug=event.slug, session_id=session.id))


def _session_change(slug: str, session_id: int, change, message: str, to_timetable: bool = False):
    event = _event(slug)
    session = queries.session_for_event(event, session_id) or abort(404)
    _require_post_form()
    done = run_action(lambda: change(session, actor=current_user, event=event), message)
    if to_timetable and done:
        return redirect(url_for("program.manage_timetable", slug=event.slug))
    return redirect(url_for("program.manage_session_edit", slug=event.slug, session_id=session_id))


@bp.route(f"{PREFIX}/sessions/<int:session_id>/cancel", methods=["POST"])
@login_required
def manage_session_cancel(slug: str, session_id: int):
    return _session_change(slug, session_id, services.cancel_session,
                           _("The session is cancelled. If it was published, the agenda and calendars show it as cancelled."))


@bp.route(f"{PREFIX}/sessions/<int:session_id>/unpublish", methods=["POST"])
@login_required
def manage_session_unpublish(slug: str, session_id: int):
    return _session_change(slug, session_id, services.unpublish_session, _("The session is back in draft."))


@bp.route(f"{PREFIX}/sessions/<int:session_id>/delete", methods=["POST"])
@login_required
def manage_session_delete(slug: str, session_id: int):
    return _session_change(slug, session_id, services.delete_session, _("The session is deleted."), to_timetable=True)


@bp.route(f"{PREFIX}/publish", methods=["POST"])
@login_required
def manage_programme_publish(slug: str):
    event = _event(slug)
    form = PublishForm()
    if not form.validate_on_submit():
        abort(400)
    run_action(lambda: services.publish_programme(event, actor=current_user, acknowledge_warnings=form.acknowledge.data),
               lambda count: ngettext("%(num)d draft session published.", "%(num)d draft sessions published.", count))
    return redirect(url_for("program.manage_timetable", slug=event.slug))


@bp.route(f"{PREFIX}/sessions/<int:session_id>/speakers", methods=["POST"])
@login_required
def manage_session_speaker_add(slug: str, session_id: int):
    event = _event(slug)
    session = queries.session_for_event(event, session_id) or abort(404)
    form = AssignSpeakerForm(speakers=queries.speakers_of(event), prefix="assign")
    if not form.validate_on_submit():
        flash(_("Choose a speaker and a role."), "error")
    else:
        speaker = queries.speaker_for_event(event, form.speaker_id.data) or abort(404)
        if run_action(lambda: speaker_services.assign_speaker(session, speaker, form.role.data, actor=current_user,
                                                              event=event), _("%(name)s is in this session.", name=speaker.name)):
            _flash_warnings(services.session_conflicts(session))
    return redirect(url_for("program.manage_session_edit", slug=event.slug, session_id=session.id, _anchor="speakers"))


@bp.route(f"{PREFIX}/sessions/<int:session_id>/speakers/<int:link_id>/remove", methods=["POST"])
@login_required
def manage_session_speaker_remove(slug: str, session_id: int, link_id: int):
    event = _event(slug)
    _require_post_form()
    link = db.session.get(SessionSpeaker, link_id)
    if link is None or link.session_id != session_id or link.session.event_id != event.id:
        abort(404)
    run_action(lambda: speaker_services.unassign_speaker(link, actor=current_user, event=event),
               _("The speaker is removed from this session."))
    return redirect(url_for("program.manage_session_edit", slug=event.slug, session_id=session_id, _anchor="speakers"))


# --- rooms and tracks ------------------------------------------------------------------------

@bp.route(f"{PREFIX}/rooms", methods=["GET", "POST"])
@login_required
def manage_rooms(slug: str):
    """Rooms and tracks on one page; each has its own add form."""
    event = _event(slug)
    room_form, track_form = RoomForm(prefix="room"), TrackForm(prefix="track")
    which = request.form.get("which") if request.method == "POST" else None
    form, save = (room_form, services.save_room) if which == "room" else (track_form, services.save_track)
    if which in ("room", "track") and form.validate_on_submit() and run_action(
            lambda: save(event, form.to_data(), actor=current_user), _("Room added.") if which == "room" else _("Track added."), form=form):
        return redirect(url_for("program.manage_rooms", slug=event.slug))
    return render_template("program/manage_rooms.html", event=event, rooms=queries.rooms_of(event),
                           tracks=queries.tracks_of(event), room_form=room_form, track_form=track_form,
                           confirm_form=ConfirmForm())


def _edit_item(slug: str, model, item_id: int, form_class, save, template: str):
    event = _event(slug)
    item = db.session.get(model, item_id)
    if item is None or item.event_id != event.id:
        abort(404)
    if model is Track:
        form_class = translated_form(form_class, other_languages(event), services.TRACK_TEXTS)
    form = form_class()
    if request.method == "GET":
        form.load(item)
        if hasattr(form, "load_translations"):
            form.load_translations(item)
    if form.validate_on_submit() and run_action(
            lambda: _saving_translations(form, save(event, form.to_data(), actor=current_user, **{model.__name__.lower(): item})),
            _("Changes saved."), form=form):
        return redirect(url_for("program.manage_rooms", slug=event.slug))
    return render_template(template, event=event, form=form, item=item)


@bp.route(f"{PREFIX}/rooms/<int:room_id>", methods=["GET", "POST"])
@login_required
def manage_room_edit(slug: str, room_id: int):
    return _edit_item(slug, Room, room_id, RoomForm, services.save_room, "program/manage_room_form.html")


@bp.route(f"{PREFIX}/tracks/<int:track_id>", methods=["GET", "POST"])
@login_required
def manage_track_edit(slug: str, track_id: int):
    return _edit_item(slug, Track, track_id, TrackForm, services.save_track, "program/manage_track_form.html")


@bp.route(f"{PREFIX}/<any(rooms, tracks):kind>/<int:item_id>/delete", methods=["POST"])
@login_required
def manage_room_delete(slug: str, kind: str, item_id: int):
    event = _event(slug)
    _require_post_form()
    model, delete = (Room, services.delete_room) if kind == "rooms" else (Track, services.delete_track)
    item = db.session.get(model, item_id)
    if item is None or item.event_id != event.id:
        abort(404)
    run_action(lambda: delete(item, actor=current_user, event=event), _("%(name)s is deleted; its sessions keep their times.", name=item.name))
    return redirect(url_for("program.manage_rooms", slug=event.slug))


# --- speakers --------------------------------------------------------------------------------

@bp.route(f"{PREFIX}/speakers")
@login_required
def manage_speakers(slug: str):
    event = _event(slug)
    return render_template("program/manage_speakers.html", event=event, speakers=queries.speakers_of(event),
                           confirm_form=ConfirmForm())


def _with_photo(form, speaker, event):
    """Store the photo uploaded with the speaker form, in the same transaction as the speaker."""
    upload = form.photo.data
    if upload and getattr(upload, "filename", ""):
        speaker_services.set_speaker_photo(speaker, upload.read(), upload.mimetype, actor=current_user, event=event)
    return speaker


@bp.route(f"{PREFIX}/speakers/new", methods=["GET", "POST"])
@login_required
def manage_speaker_new(slug: str):
    event = _event(slug)
    form = SpeakerForm()
    if form.validate_on_submit() and run_action(
            lambda: _with_photo(form, speaker_services.create_speaker(event, form.to_data(), actor=current_user), event),
            lambda speaker: _("%(name)s is added. Put them in sessions, then send their invitation.", name=speaker.name), form=form):
        return redirect(url_for("program.manage_speakers", slug=event.slug))
    return render_template("program/manage_speaker_form.html", event=event, form=form, speaker=None)


@bp.route(f"{PREFIX}/speakers/<int:speaker_id>", methods=["GET", "POST"])
@login_required
def manage_speaker_edit(slug: str, speaker_id: int):
    event = _event(slug)
    speaker = queries.speaker_for_event(event, speaker_id) or abort(404)
    form = SpeakerForm()
    if request.method == "GET":
        form.load(speaker)
    if form.validate_on_submit() and run_action(
            lambda: _with_photo(form, speaker_services.update_speaker(speaker, form.to_data(), actor=current_user,
                                                                      event=event), event),
            _("Changes saved."), form=form):
        return redirect(url_for("program.manage_speakers", slug=event.slug))
    return render_template("program/manage_speaker_form.html", event=event, form=form, speaker=speaker,
                           confirm_form=ConfirmForm())


def _speaker_change(slug: str, speaker_id: int, change, message: str):
    """A confirmed button on one speaker; `message(name)` says what happened to them."""
    event = _event(slug)
    speaker = queries.speaker_for_event(event, speaker_id) or abort(404)
    _require_post_form()
    run_action(lambda: change(speaker, actor=current_user, event=event), message(speaker.name))
    return redirect(url_for("program.manage_speakers", slug=event.slug))


@bp.route(f"{PREFIX}/speakers/<int:speaker_id>/invite", methods=["POST"])
@login_required
def manage_speaker_invite(slug: str, speaker_id: int):
    return _speaker_change(slug, speaker_id, speaker_services.invite_speaker,
                           lambda name: _("Invitation sent to %(name)s. Earlier links no longer work.", name=name))


@bp.route(f"{PREFIX}/speakers/<int:speaker_id>/delete", methods=["POST"])
@login_required
def manage_speaker_delete(slug: str, speaker_id: int):
    return _speaker_change(slug, speaker_id, speaker_services.delete_speaker, lambda name: _("The speaker is deleted."))
