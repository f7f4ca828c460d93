"""The join details in an attendee's own calendar feeds (issue 15): for each entry they may join
online, once its reveal time has passed, the personal join link as the entry's URL and as an
RFC 7986 CONFERENCE property, and each dial-in number as a `tel:` CONFERENCE with the access
code in its label. Registered with confapp.calendars, which only the personal feeds call: the
public feeds never carry any of it, and the meeting URL itself is never written (only the
personal link, which counts the attendance)."""
from __future__ import annotations

import re
from datetime import datetime

from flask_babel import gettext
from icalendar import vUri

from ..calendars import register_personal_addition
from ..events.content_languages import tr
from ..i18n import in_language
from ..urls import external_url
from . import access

_NUMBER = re.compile(r"^\s*(\+?[\d][\d\s().\-/]{4,}\d)")


def tel_uri(line: str) -> str | None:
    """"+1 646 555 0100 (New York)" -> "tel:+16465550100"; None for a line without a number."""
    found = _NUMBER.match(line)
    if not found:
        return None
    digits = re.sub(r"[^\d+]", "", found.group(1).split("(")[0])
    return f"tel:{digits}" if len(digits.lstrip("+")) >= 5 else None


def _add_conference(vevent, uri: str, *, feature: list[str], label: str) -> None:
    vevent.add("conference", vUri(uri), parameters={"VALUE": "URI", "FEATURE": feature, "LABEL": label})


def _add_target(vevent, target: access.JoinTarget, url: str, *, label: str | None) -> None:
    details = target.details
    _add_conference(vevent, url, feature=["AUDIO", "VIDEO"], label=label or gettext("Join online"))
    for line in details.dial_in_numbers.splitlines():
        uri = tel_uri(line)
        if uri is None:
            continue
        text = line.strip()
        if details.access_code:
            text = gettext("%(number)s, access code %(code)s", number=text, code=details.access_code)
        _add_conference(vevent, uri, feature=["PHONE"], label=text)


@register_personal_addition
def add_join_details(registration, event, entries: list, now: datetime) -> None:
    targets = [t for t in access.targets_for(registration, event) if t.revealed(now)]
    if not targets:
        return
    generation = access.link_generation(registration)
    by_session = {t.session_id: t for t in targets}

    def link(target):
        return external_url("online.join_page", token=access.join_token(registration, target.session_id, generation=generation))

    with in_language(registration.spoken_language):
        for session, vevent in entries:
            if session is not None:
                found = [by_session[session.id]] if session.id in by_session else []
            else:
                # The event as a whole: its own join details, else every session that can be joined.
                found = [by_session[None]] if None in by_session else targets
            for target in found:
                label = (str(tr(target.session, "title", event=event))
                         if target.session is not None and session is None else None)
                _add_target(vevent, target, link(target), label=label)
            if len(found) == 1:
                vevent.pop("url", None)
                vevent.add("url", link(found[0]))
