"""/api/v1 check-in: the desk's own services and handlers (confapp.checkin.handlers), so the desk
page and a third party's door app answer the same: redeem, lists, search, undo, batch sync,
stats, and at the door a walk-in's registration and a payment taken there."""
from __future__ import annotations

from ..accounts.permissions import Action
from ..checkin import desk, handlers as checkin_handlers, services as checkin_services
from ..errors import ValidationFailed
from ..extensions import commit_keeping_loaded
from ..sqlite import mark_request_read_only
from ..transactions import reads_before_writes
from ..types import utcnow
from . import idempotency, queries
from .auth import token_actor, token_event
from .blueprint import v1
from .models import Scope
from .schemas import (
    CheckInListsSchema, CheckInSearchArgsSchema, CheckInSearchSchema, CheckInStatsSchema, PayAtDoorRequestSchema,
    RedeemRequestSchema, RedeemResultSchema, SyncRequestSchema, SyncResultSchema, UndoRequestSchema, UndoResultSchema,
    WalkInRequestSchema, WalkInResultSchema,
)
from .idempotency import json_answer
from .views_v1 import documented_errors, links

@v1.route("/events/<slug>/checkin/redeem", methods=["POST"])
@v1.arguments(RedeemRequestSchema)
@v1.response(200, RedeemResultSchema)
@documented_errors(401, 403, 404, 429)
def checkin_redeem(body, slug: str):
    """Check a ticket in, once, exactly as the desk does: a second redeem answers `already`.
    Refusals (cancelled, unpaid, unknown...) are outcomes with a 200, as at the desk."""
    # As the desk: reads first, SQLite's write lock only at redeem's decision point.
    with reads_before_writes():
        actor = token_actor(Scope.CHECKIN_WRITE)
        event = token_event(actor, slug, Action.CHECK_IN)
        checkin_list = queries.checkin_list_for(event, body["list_id"])
        result = checkin_services.redeem(body["code"], checkin_list=checkin_list, station=body["station"],
                                         actor=actor, now=utcnow())
    commit_keeping_loaded()
    mark_request_read_only()
    return desk.result_json(result, event.tz)


def _checkin_list(scope: Scope, slug: str, list_id: int):
    actor = token_actor(scope)
    event = token_event(actor, slug, Action.CHECK_IN)
    return actor, queries.checkin_list_for(event, list_id)


@v1.route("/events/<slug>/checkin/lists")
@v1.response(200, CheckInListsSchema)
@documented_errors(401, 403, 404, 429)
def checkin_lists(slug: str):
    """The event's check-in lists (the main entrance first)."""
    actor = token_actor(Scope.CHECKIN_READ)
    return {"results": checkin_handlers.lists(token_event(actor, slug, Action.CHECK_IN))}


@v1.route("/events/<slug>/checkin/lists/<int:list_id>/search")
@v1.arguments(CheckInSearchArgsSchema, location="query")
@v1.response(200, CheckInSearchSchema)
@documented_errors(401, 403, 404, 429)
def checkin_search(args, slug: str, list_id: int):
    """Search attendees as the desk does (emails masked)."""
    _, checkin_list = _checkin_list(Scope.CHECKIN_READ, slug, list_id)
    return json_answer(200, checkin_handlers.search(checkin_list, args["q"]))


@v1.route("/events/<slug>/checkin/lists/<int:list_id>/undo", methods=["POST"])
@v1.arguments(UndoRequestSchema)
@v1.response(200, UndoResultSchema)
@documented_errors(401, 403, 404, 409, 429)
def checkin_undo(body, slug: str, list_id: int):
    """Undo a check-in of this list, as the desk does."""
    actor, checkin_list = _checkin_list(Scope.CHECKIN_WRITE, slug, list_id)
    return json_answer(200, checkin_handlers.undo(checkin_list, body["check_in_id"], actor=actor))


@v1.route("/events/<slug>/checkin/lists/<int:list_id>/sync", methods=["POST"])
@v1.arguments(SyncRequestSchema)
@v1.response(200, SyncResultSchema)
@documented_errors(401, 403, 404, 429)
def checkin_sync(body, slug: str, list_id: int):
    """Scans made offline, in one batch, as the desk's offline mode sends them: each is redeemed
    once (a scan id already seen is a replay); a ticket checked in elsewhere meanwhile is a conflict."""
    actor, checkin_list = _checkin_list(Scope.CHECKIN_WRITE, slug, list_id)
    scans = [{**scan, "scanned_at": scan["scanned_at"].isoformat() if scan["scanned_at"] else None}
             for scan in body["scans"]]
    return json_answer(200, checkin_handlers.sync(checkin_list, scans, actor=actor))


@v1.route("/events/<slug>/checkin/lists/<int:list_id>/stats")
@v1.response(200, CheckInStatsSchema)
@documented_errors(401, 403, 404, 429)
def checkin_stats(slug: str, list_id: int):
    """Checked in against expected per list and category, and arrivals on this list."""
    _, checkin_list = _checkin_list(Scope.CHECKIN_READ, slug, list_id)
    return json_answer(200, checkin_handlers.stats(checkin_list))


@v1.route("/events/<slug>/checkin/lists/<int:list_id>/walk-ins", methods=["POST"])
@v1.arguments(WalkInRequestSchema)
@v1.response(201, WalkInResultSchema)
@documented_errors(401, 403, 404, 409, 429)
@v1.doc(parameters=[idempotency.HEADER_PARAMETER],
        responses=links(201, {"registration_id": "$response.body#/registration/id"},
                        registration_get="The walk-in's registration.",
                        registration_update="Correct the walk-in's name, email or answers."))
def checkin_walk_in(body, slug: str, list_id: int):
    """Register someone at the door in a category this list admits and check them in at once, as
    the desk's walk-in form does (the registration rules of an organiser's door sale: required
    fields, one registration per email, capacity: 409 sold out). A fee still owed answers
    `unpaid` with the amount and `checked_in: false`: take it with `pay`. `Idempotency-Key` as
    for orders: a retried walk-in gets the first answer and registers no one again."""
    actor, checkin_list = _checkin_list(Scope.CHECKIN_WRITE, slug, list_id)

    def register(service_key: str | None) -> tuple[int, dict]:
        try:
            payload = checkin_handlers.walk_in_uncommitted(
                checkin_list, first_name=body["first_name"], last_name=body["last_name"], email=body["email"],
                category_id=body["category_id"], station=body["station"], amount_minor=body["amount_minor"],
                actor=actor, idempotency_key=service_key)
        except ValidationFailed as error:
            error.errors = {_walk_in_field(key): message for key, message in error.errors.items()}
            raise
        registration = queries.registration_detail(checkin_list.event, payload["attendee"]["id"])
        return 201, WalkInResultSchema().dump(
            {**payload, "checked_in": payload["outcome"] == "ok", "registration": registration})

    return idempotency.answer_once(actor.token.id, body, register)


def _walk_in_field(key: str) -> str:
    """The desk's field names (attendees-0-email, amount_12, quantity_12, amount) as this body's."""
    key = key.removeprefix("attendees-0-")
    if key == "amount" or key.startswith("amount_"):
        return "amount_minor"
    return "category_id" if key.startswith("quantity") else key


@v1.route("/events/<slug>/checkin/lists/<int:list_id>/pay", methods=["POST"])
@v1.arguments(PayAtDoorRequestSchema)
@v1.response(200, RedeemResultSchema)
@documented_errors(401, 403, 404, 409, 429)
def checkin_pay(body, slug: str, list_id: int):
    """"Paid now at the door": record the amount received (the order is confirmed when paid in
    full; more than is owed: 422) and check the person in, as the desk's payment form does."""
    actor, checkin_list = _checkin_list(Scope.CHECKIN_WRITE, slug, list_id)
    try:
        answer = checkin_handlers.pay(checkin_list, body["registration_id"], amount_minor=body["amount_minor"],
                                      how=body["how"], station=body["station"], actor=actor)
    except ValidationFailed as error:
        error.errors = {_walk_in_field(key): message for key, message in error.errors.items()}
        raise
    return json_answer(200, answer)
