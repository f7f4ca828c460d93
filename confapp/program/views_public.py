"""Public programme pages: agenda, sessions, speakers, calendar feeds, and the pages people
reach through signed links (speaker self-service, attendee personal agenda)."""
from __future__ import annotations

from flask import Response, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..accounts import permissions
from ..accounts.permissions import Action
from ..events.access import visible_event
from ..events.content_languages import tr, use_event_language
from ..events.models import EventStatus
from ..events.queries import event_by_slug
from ..extensions import db
from ..forms import run_action
from ..http_cache import shared_page
from ..inputs import as_id
from . import attendance, ical, queries
from .forms import ConfirmForm, SpeakerProfileForm
from .models import ParticipationStatus, SessionKind, SessionSpeaker
from .page_state import agenda_state
from .photos import is_current_version, load_photo
from .speakers import SpeakerActor, remove_speaker_photo, respond_to_session, set_speaker_photo, update_speaker
from .tokens import registration_for_token, speaker_for_token
from .blueprint import bp



class AgendaLinks:
    """Per-item links for long lists, built from one url_for per kind (the agenda renders
    hundreds of links; building each through the URL map was about an eighth of its render time)."""

    def __init__(self, slug: str, token: str | None = None):
        self._session = url_for("program.public_session", slug=slug, uid="UID").rsplit("UID", 1)[0]
        self._speaker = url_for("program.public_speaker", slug=slug, speaker_id=0).rsplit("0", 1)[0]
        self._action = (url_for("program.attendee_session_action", slug=slug, token=token, uid="UID").rsplit("UID", 1)[0]
                        if token else None)

    def session(self, uid: str) -> str:
        return self._session + uid

    def speaker(self, speaker_id: int) -> str:
        return f"{self._speaker}{int(speaker_id)}"

    def action(self, uid: str) -> str:
        return self._action + uid


@bp.app_template_global("agenda_links")
def agenda_links(slug: str, token: str | None = None) -> AgendaLinks:
    return AgendaLinks(slug, token)


def _int_arg(name: str) -> int | None:
    return as_id(request.args.get(name))


def _ics(body: bytes, filename: str) -> Response:
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    response.headers["Cache-Control"] = "private, max-age=300"
    response.add_etag()
    return response.make_conditional(request)


# --- agenda ----------------------------------------------------------------------------------

def _agenda(event) -> queries.Agenda:
    return queries.public_agenda(event, track_id=_int_arg("track"), kind=request.args.get("kind") or None)


def _render_agenda(event, *, registration=None, token=None, agenda=None):
    agenda = _agenda(event) if agenda is None else agenda
    starred = queries.starred_session_ids(registration.id) if registration else set()
    signed_up = queries.signed_up_session_ids(registration.id) if registration else set()
    only_mine = bool(registration and request.args.get("mine"))
    if only_mine:
        agenda.days = [day for day in (queries.AgendaDay(d.day, [s for s in d.sessions if s.id in starred])
                                       for d in agenda.days) if day.sessions]
    return render_template("program/public_agenda.html", event=event, agenda=agenda, kinds=list(SessionKind),
                           registration=registration, token=token, starred=starred, signed_up=signed_up,
                           only_mine=only_mine)


@bp.route("/e/<slug>/agenda/")
def public_agenda(slug: str):
    event = visible_event(slug)
    track_id, kind = _int_arg("track"), request.args.get("kind") or None
    shown: dict[str, dict] = {}

    def state():
        tag, shown["signups"] = agenda_state(event, track_id=track_id, kind=kind)
        return tag

    # The sessions are loaded as objects only when the page is rendered (see page_state).
    return shared_page(state, lambda: _render_agenda(event, agenda=queries.public_agenda(
        event, track_id=track_id, kind=kind, signups=shown.get("signups"))))


@bp.route("/e/<slug>/agenda/tracks.css")
def tracks_css(slug: str):
    event = visible_event(slug)
    # Colours come from a validated #rrggbb column; served as a stylesheet because the
    # Content-Security-Policy allows no inline styles.
    rules = [f".track-{t.id}{{background:{t.colour};color:{t.text_colour};border-color:{t.colour}}}"
             for t in queries.tracks_of(event)]
    response = Response("\n".join(rules) + "\n", mimetype="text/css")
    # Revalidated on every use, like the agenda: a colour an organiser changes shows at once.
    response.headers["Cache-Control"] = "public, max-age=0, must-revalidate"
    response.add_etag(weak=True)
    return response.make_conditional(request)


@bp.route("/e/<slug>/agenda/sessions/<uid>")
def public_session(slug: str, uid: str):
    event = visible_event(slug)
    session = queries.public_session(event, uid) or abort(404)
    return render_template("program/public_session.html", event=event, session=session,
                           speakers=queries.public_speakers_of(session), signups=queries.signup_counts(event.id))


@bp.route("/e/<slug>/speakers/")
def public_speakers(slug: str):
    event = visible_event(slug)
    return render_template("program/public_speakers.html", event=event, speakers=queries.public_speakers(event))


@bp.route("/e/<slug>/speakers/<int:speaker_id>")
def public_speaker(slug: str, speaker_id: int):
    event = visible_event(slug)
    speaker = queries.public_speaker(event, speaker_id) or abort(404)
    return render_template("program/public_speaker.html", event=event, speaker=speaker,
                           sessions=queries.speaker_sessions(speaker, public=True),
                           elsewhere=queries.other_appearances(speaker))


@bp.route("/e/<slug>/speakers/<int:speaker_id>/photo")
def speaker_photo(slug: str, speaker_id: int):
    event = visible_event(slug)
    speaker = queries.public_speaker(event, speaker_id)
    # Shared caches may keep only what anyone may see: a public speaker of a published event.
    public = speaker is not None and event.status != EventStatus.DRAFT
    if speaker is None and permissions.can(current_user, Action.MANAGE_PROGRAM, event):
        speaker = queries.speaker_for_event(event, speaker_id)
    blob = load_photo(speaker.photo_filename) if speaker else None
    if blob is None:
        abort(404)
    if not public:
        return _photo_response(blob, "private, no-cache")
    if is_current_version(speaker.photo_filename, request.args.get("v")):
        return _photo_response(blob, "public, max-age=2592000")  # a new photo gets a new URL
    return _photo_response(blob, "public, max-age=300")


def _photo_response(blob, cache_control: str) -> Response:
    response = Response(blob.data, mimetype=blob.content_type)
    response.headers["Cache-Control"] = cache_control
    response.set_etag(blob.etag)
    return response.make_conditional(request)


# --- calendar feeds --------------------------------------------------------------------------

@bp.route("/e/<slug>/agenda.ics")
def feed_event(slug: str):
    event = visible_event(slug)
    return _ics(ical.build_calendar(event, queries.feed_sessions(event), name=tr(event, "title")), f"{event.slug}.ics")


@bp.route("/e/<slug>/agenda/sessions/<uid>.ics")
def feed_session(slug: str, uid: str):
    event = visible_event(slug)
    session = queries.public_session(event, uid) or abort(404)
    return _ics(ical.build_calendar(event, [session], name=tr(session, "title", event=event)), f"{session.uid}.ics")


@bp.route("/e/<slug>/speakers/<int:speaker_id>.ics")
def feed_speaker(slug: str, speaker_id: int):
    event = visible_event(slug)
    speaker = queries.public_speaker(event, speaker_id) or abort(404)
    sessions = queries.speaker_sessions(speaker, public=True)
    return _ics(ical.build_calendar(event, sessions, name=_("%(name)s at %(event)s", name=speaker.name, event=tr(event, "title"))), f"speaker-{speaker.id}.ics")


# --- speaker self-service --------------------------------------------------------------------

def _portal_event(slug: str):
    """Speakers are often invited before the event is published: their link works on drafts."""
    event = event_by_slug(slug)
    if event is None:
        abort(404)
    use_event_language(event)  # a speaker of a Spanish-first event without a language choice reads Spanish
    return event


def _speaker_or_404(event, token: str):
    speaker = speaker_for_token(token)
    if speaker is None or speaker.event_id != event.id:
        abort(404, _("This link is not valid or has expired. Ask the organisers for a new one."))
    return speaker


@bp.route("/e/<slug>/speaker/<token>/", methods=["GET", "POST"])
def speaker_portal(slug: str, token: str):
    event = _portal_event(slug)
    speaker = _speaker_or_404(event, token)
    form = SpeakerProfileForm()
    if request.method == "GET":
        form.load(speaker)
    if form.validate_on_submit() and run_action(lambda: _save_profile(form, speaker, event), _("Your profile is saved."),
                                                form=form):
        return redirect(url_for("program.speaker_portal", slug=event.slug, token=token))
    return render_template("program/speaker_portal.html", event=event, speaker=speaker, form=form, token=token,
                           sessions=sorted(speaker.sessions, key=_by_start), confirm_form=ConfirmForm())


def _save_profile(form, speaker, event) -> None:
    actor = SpeakerActor(speaker)
    update_speaker(speaker, form.to_data(), actor=actor, event=event)
    upload = form.photo.data
    if upload and getattr(upload, "filename", ""):
        set_speaker_photo(speaker, upload.read(), upload.mimetype, actor=actor, event=event)


def _by_start(link):
    starts = link.session.starts_at
    return (starts is None, starts or 0)


@bp.route("/e/<slug>/speaker/<token>/photo")
def speaker_portal_photo(slug: str, token: str):
    speaker = _speaker_or_404(_portal_event(slug), token)
    blob = load_photo(speaker.photo_filename) or abort(404)
    return _photo_response(blob, "private, no-cache")


@bp.route("/e/<slug>/speaker/<token>/photo/remove", methods=["POST"])
def speaker_portal_photo_remove(slug: str, token: str):
    event = _portal_event(slug)
    speaker = _speaker_or_404(event, token)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    run_action(lambda: remove_speaker_photo(speaker, actor=SpeakerActor(speaker), event=event), _("Your photo is removed."))
    return redirect(url_for("program.speaker_portal", slug=event.slug, token=token))


@bp.route("/e/<slug>/speaker/<token>/sessions/<int:link_id>", methods=["POST"])
def speaker_respond(slug: str, token: str, link_id: int):
    event = _portal_event(slug)
    speaker = _speaker_or_404(event, token)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    link = db.session.get(SessionSpeaker, link_id)
    if link is None or link.speaker_id != speaker.id:
        abort(404)
    answer = request.form.get("answer")
    if answer not in (ParticipationStatus.CONFIRMED, ParticipationStatus.DECLINED):
        abort(400)
    run_action(lambda: respond_to_session(link, ParticipationStatus(answer), actor=SpeakerActor(speaker), event=event),
               _("Thank you: your answer is recorded.") if answer == "confirmed" else _("Thank you for letting us know."))
    return redirect(url_for("program.speaker_portal", slug=event.slug, token=token))


# --- attendee personal agenda ----------------------------------------------------------------

def _registration_or_404(event, token: str):
    registration = registration_for_token(token, event.id)
    if registration is None:
        abort(404, _("This agenda link is not valid. Use the link from your registration email."))
    return registration


@bp.route("/e/<slug>/my-agenda/<token>/")
def attendee_agenda(slug: str, token: str):
    event = visible_event(slug)
    return _render_agenda(event, registration=_registration_or_404(event, token), token=token)


@bp.route("/e/<slug>/my-agenda/<token>/sessions/<uid>", methods=["POST"])
def attendee_session_action(slug: str, token: str, uid: str):
    """Star, unstar, sign up or give back a place, then return to the same place in the agenda."""
    event = visible_event(slug)
    registration = _registration_or_404(event, token)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    session = queries.public_session(event, uid) or abort(404)
    action = request.form.get("action")
    actions = {
        "star": (lambda: attendance.star_session(session, registration), _("Added to your agenda.")),
        "unstar": (lambda: attendance.unstar_session(session, registration), _("Removed from your agenda.")),
        "signup": (lambda: attendance.sign_up(session, registration), _("You have a place in this workshop.")),
        "cancel_signup": (lambda: attendance.cancel_signup(session, registration), _("Your place is given back.")),
    }
    if action not in actions:
        abort(400)
    run, message = actions[action]
    run_action(run, _("%(message)s (%(title)s)", message=message, title=tr(session, "title", event=event)))
    return redirect(url_for("program.attendee_agenda", slug=event.slug, token=token, _anchor=f"s-{session.uid}"))


@bp.route("/e/<slug>/my-agenda/<token>.ics")
def attendee_feed(slug: str, token: str):
    event = visible_event(slug)
    registration = _registration_or_404(event, token)
    sessions = queries.starred_sessions(registration)
    return _ics(ical.build_calendar(event, sessions, name=_("My agenda: %(event)s", event=tr(event, "title")), registration=registration),
                "my-agenda.ics")
