"""After the session (issue 15): recording and materials links per event or session, shown to
registered attendees or publicly as the organiser chooses, and the follow-up email that sends
them to the registered (or those who attended) as an outreach announcement: the same composer
rules, segment, delivery engine, unsubscribes and history as any message.

Services flush; the caller commits.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from flask_babel import gettext
from sqlalchemy import exists, select

from ..audit.services import record
from ..errors import NotAllowed, ValidationFailed
from ..events.content_languages import tr
from ..events.models import Event
from ..extensions import db
from ..outreach import services as outreach
from ..program.models import ProgramSession, SessionStatus
from ..registration.models import Registration, RegistrationStatus
from ..types import utcnow
from .models import FollowUpLinks, LinksVisibility

# Who a follow-up email goes to (outreach segments).
AUDIENCES = {
    "registered": {"status": ["confirmed"]},
    "attended": {"and": [{"status": ["confirmed"]}, {"or": [{"checked_in": True}, {"attended_online": True}]}]},
}


@dataclass
class LinksData:
    recording_url: str = ""
    materials: str = ""
    visibility: str = LinksVisibility.REGISTERED.value


def _is_web_address(value: str) -> bool:
    url = urlsplit(value.strip())
    return url.scheme in ("https", "http") and bool(url.netloc)


def materials_of(links: FollowUpLinks) -> list[tuple[str, str]]:
    """(label, url) per line of `materials`: "https://..." or "Slides | https://..."."""
    found = []
    for line in links.materials.splitlines():
        label, _, url = line.rpartition("|")
        if url.strip():
            found.append((label.strip() or url.strip(), url.strip()))
    return found


def _checked(data: LinksData) -> None:
    errors = {}
    if data.recording_url.strip() and not _is_web_address(data.recording_url):
        errors["recording_url"] = gettext("Enter the recording's full address, starting with https://.")
    for line in data.materials.splitlines():
        url = line.rpartition("|")[2]
        if line.strip() and not _is_web_address(url):
            errors["materials"] = gettext("Write one link per line, starting with https:// (a title and | before it if you like).")
            break
    if data.visibility not in {v.value for v in LinksVisibility}:
        errors["visibility"] = gettext("Choose who sees the links.")
    if errors:
        raise ValidationFailed(errors)


def _note_public(event: Event) -> None:
    event.has_public_follow_up = db.session.scalar(select(exists().where(
        FollowUpLinks.event_id == event.id, FollowUpLinks.visibility == LinksVisibility.PUBLIC)))
    db.session.flush()


def links_for(event: Event, session: ProgramSession | None) -> FollowUpLinks | None:
    return db.session.scalar(select(FollowUpLinks).where(
        FollowUpLinks.event_id == event.id,
        FollowUpLinks.session_id == session.id if session is not None else FollowUpLinks.session_id.is_(None)))


def save_links(event: Event, data: LinksData, *, session: ProgramSession | None = None, actor) -> FollowUpLinks | None:
    """Create or replace the links of the event (session None) or a session; both fields empty
    removes them. Raises ValidationFailed for an address that is not a web address."""
    if session is not None and session.event_id != event.id:
        raise NotAllowed()
    _checked(data)
    links = links_for(event, session)
    # The event's public page is answered with an ETag of the event's row: a change of its links
    # changes the row, so nobody is served the page without them (or with links since removed).
    event.updated_at = utcnow()
    if not data.recording_url.strip() and not data.materials.strip():
        if links is not None:
            db.session.delete(links)
            db.session.flush()
            _note_public(event)
            record("online.follow_up_links_removed", actor=actor, event=event,
                   details={"session_id": session.id if session else None})
        return None
    if links is None:
        links = FollowUpLinks(event_id=event.id, session_id=session.id if session else None)
        db.session.add(links)
    links.recording_url = data.recording_url.strip()
    links.materials = "\n".join(line.strip() for line in data.materials.splitlines() if line.strip())
    links.visibility = LinksVisibility(data.visibility)
    db.session.flush()
    _note_public(event)
    record("online.follow_up_links_saved", actor=actor, event=event,
           details={"session_id": session.id if session else None, "visibility": links.visibility.value})
    return links


@dataclass
class ShownLinks:
    title: str
    session: ProgramSession | None
    links: FollowUpLinks

    @property
    def materials(self) -> list[tuple[str, str]]:
        return materials_of(self.links)


def may_see_registered(registration: Registration | None, event: Event) -> bool:
    return (registration is not None and registration.event_id == event.id
            and registration.status == RegistrationStatus.CONFIRMED and registration.purged_at is None)


def visible_links(event: Event, *, registration: Registration | None = None, session: ProgramSession | None = None,
                  everything: bool = False) -> list[ShownLinks]:
    """The links a viewer may see: public ones for anyone, registered-only ones for a confirmed
    attendee of the event (`registration`), all of them with `everything` (the organiser's email).
    The event's first, then each public session's in programme order; with `session`, that
    session's only. Two queries."""
    query = select(FollowUpLinks).where(FollowUpLinks.event_id == event.id)
    if session is not None:
        query = query.where(FollowUpLinks.session_id == session.id)
    if not everything and not may_see_registered(registration, event):
        query = query.where(FollowUpLinks.visibility == LinksVisibility.PUBLIC)
    rows = list(db.session.scalars(query))
    session_ids = [r.session_id for r in rows if r.session_id is not None]
    sessions = {s.id: s for s in db.session.scalars(select(ProgramSession).where(
        ProgramSession.id.in_(session_ids or [0]), ProgramSession.status == SessionStatus.PUBLISHED))}
    shown = [ShownLinks(tr(event, "title"), None, r) for r in rows if r.session_id is None]
    for row in sorted((r for r in rows if r.session_id in sessions),
                      key=lambda r: (sessions[r.session_id].starts_at is None, sessions[r.session_id].starts_at, r.session_id)):
        shown.append(ShownLinks(tr(sessions[row.session_id], "title", event=event), sessions[row.session_id], row))
    return shown


def follow_up_body(event: Event) -> str:
    """The email's Markdown, in the organiser's language: every set of links, whatever its visibility
    (the email goes only to the event's attendees)."""
    lines = [gettext("Thank you for taking part in {{ event_title }}. The recordings and materials are here:"), ""]
    for shown in visible_links(event, everything=True):
        lines.append(f"**{_plain(shown.title)}**")
        lines.append("")
        if shown.links.recording_url:
            lines.append(f"- [{gettext('Recording')}]({_url(shown.links.recording_url)})")
        for label, url in shown.materials:
            lines.append(f"- [{_plain(label)}]({_url(url)})")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _url(url: str) -> str:
    """An address in a Markdown body that is merged as a template: braces and spaces encoded."""
    return url.replace("{", "%7B").replace("}", "%7D").replace(" ", "%20").replace(")", "%29")


def _plain(text: str) -> str:
    """Event content in a Markdown body: no markup, no merge-field braces."""
    for char in "\\*_[]`{}<>#":
        text = text.replace(char, f"\\{char}" if char not in "{}" else "")
    return text


def follow_up_subject() -> str:
    return gettext("Recordings and materials: {{ event_title }}")


def send_follow_up(event: Event, *, audience: str, subject: str, body: str, actor, now: datetime):
    """Send the follow-up email now to the audience (AUDIENCES) as an announcement, through
    outreach's own path (create, then send: its checks, segment, deliveries, history). Raises
    NotAllowed without SEND_MESSAGES, ValidationFailed for an unknown audience, an empty subject
    or body, nobody in the audience, or no links to send."""
    if audience not in AUDIENCES:
        raise ValidationFailed({"audience": gettext("Choose who receives the email.")})
    if not visible_links(event, everything=True):
        raise ValidationFailed({"body": gettext("Add a recording or materials first: there is nothing to send.")})
    message = outreach.create_message(event, outreach.MessageDraft(subject, body, AUDIENCES[audience]), actor=actor, now=now)
    outreach.send_message(message, actor=actor, now=now)
    record("online.follow_up_sent", actor=actor, event=event, target=message, details={"audience": audience})
    return message
