"""The check-in operations both doors use: the desk's JSON endpoints (confapp/checkin/views.py,
staff session or volunteer link) and /api/v1 (confapp/api/views_checkin.py, a token). Each takes the
list and actor its caller authenticated and inputs already read from the request, calls the
service, commits where it writes, and returns the one JSON answer both give."""
from __future__ import annotations

from flask_babel import gettext

from ..errors import NotFound
from ..extensions import db
from ..registration.models import Registration
from ..types import utcnow
from . import desk, queries, services
from . import sync as offline_sync
from .models import CheckInList

MAX_SYNC_SCANS = 500


def search(checkin_list: CheckInList, text: str) -> dict:
    rows = queries.search(checkin_list, (text or "")[:100])
    return {"results": desk.search_json(rows, checkin_list.event.tz)}


def undo(checkin_list: CheckInList, check_in_id: int, *, actor) -> dict:
    check_in = services.check_in_on_list(check_in_id, checkin_list)
    services.undo(check_in, actor=actor, now=utcnow())
    name = check_in.registration.full_name
    db.session.commit()
    return {"undone": check_in_id, "message": gettext("Check-in of %(name)s undone.", name=name)}


def walk_in(checkin_list: CheckInList, *, first_name: str, last_name: str, email: str, category_id: int,
            station: str, amount_minor: int | None, actor) -> dict:
    """Register someone at the door and check them in (services.walk_in); a paid category answers
    `unpaid` with the amount, for pay() next."""
    payload = walk_in_uncommitted(checkin_list, first_name=first_name, last_name=last_name, email=email,
                                  category_id=category_id, station=station, amount_minor=amount_minor, actor=actor)
    db.session.commit()
    return payload


def walk_in_uncommitted(checkin_list: CheckInList, *, first_name: str, last_name: str, email: str, category_id: int,
                        station: str, amount_minor: int | None, actor, idempotency_key: str | None = None) -> dict:
    """walk_in without its commit, for a caller that writes its own row in the same transaction
    (the API stores the answer under the request's Idempotency-Key: `idempotency_key`)."""
    result = services.walk_in(checkin_list, first_name=first_name, last_name=last_name, email=email,
                              category_id=category_id, station=station, amount_minor=amount_minor,
                              actor=actor, now=utcnow(), idempotency_key=idempotency_key)
    return desk.result_json(result, checkin_list.event.tz)


def pay(checkin_list: CheckInList, registration_id: int, *, amount_minor: int, how: str, station: str, actor) -> dict:
    """"Paid now at the door", then checked in (services.pay_at_door). Raises NotFound."""
    registration = db.session.get(Registration, registration_id)
    if registration is None:
        raise NotFound(gettext("No such registration."))
    result = services.pay_at_door(registration, checkin_list=checkin_list, amount_minor=amount_minor, how=how,
                                  station=station, actor=actor, now=utcnow())
    payload = desk.result_json(result, checkin_list.event.tz)
    db.session.commit()
    return payload


def sync(checkin_list: CheckInList, scans: list[dict], *, actor) -> dict:
    items = offline_sync.sync(scans, checkin_list=checkin_list, actor=actor, now=utcnow())
    tz = checkin_list.event.tz
    answers = queries.desk_answers(sorted({i.result.registration.id for i in items if i.result.registration is not None}))
    payload = [{"scan_id": i.scan_id, "conflict": i.conflict, "refused": i.refused,
                **desk.result_json(i.result, tz, answers_by_registration=answers)} for i in items]
    db.session.commit()
    return {"results": payload, "conflicts": sum(1 for i in items if i.conflict),
            "refused": sum(1 for i in items if i.refused)}


def stats(checkin_list: CheckInList) -> dict:
    return desk.stats_json(queries.stats(checkin_list.event, focus=checkin_list), checkin_list.event.tz)


def lists(event) -> list[dict]:
    return [{"id": l.id, "name": l.name, "kind": l.kind.value} for l in queries.lists_for(event)]
