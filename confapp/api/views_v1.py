"""/api/v1 handlers: thin. Each one authenticates the token for one scope, loads the event the
token reaches, calls the same queries and services the HTML pages and the desk use, and returns
what its response schema describes."""
from __future__ import annotations

from flask import request
from flask_babel import gettext
from flask_smorest import abort
from sqlalchemy import select
from werkzeug.exceptions import HTTPException

from ..accounts.permissions import Action
from ..errors import PROBLEM_CONTENT_TYPE, InvalidState, ValidationFailed, json_error
from ..extensions import db
from ..i18n import current_language
from ..registration import links as registration_links
from ..registration.common import card_payments_available, reads_once
from ..registration import services as registration_services
from ..registration.models import Order, PaymentMethod, Registration, RegistrationStatus
from ..registration.services import AttendeeData, CategoryChoice, OrderRequest
from ..transactions import decision_point, reads_before_writes
from ..types import utcnow
from . import idempotency, partner, queries
from .auth import CHALLENGE, PUBLIC_ENDPOINTS, bearer_secret, token_actor, token_event
from .blueprint import v1
from .idempotency import json_answer
from .models import Scope
from .problem_words import translated
from .schemas import (
    CancelRequestSchema, CancelResultSchema, DecisionRequestSchema, EventPageSchema, EventSchema, OrderCreateSchema,
    OrderSchema, PageArgsSchema, ProblemSchema, RegistrationFilterSchema, RegistrationPageSchema, RegistrationSchema,
    RegistrationUpdateSchema,
)

ERRORS = {401: "No valid token.", 403: "The token lacks the scope, or its creator the role.",
          404: "Not found, or not reached by this token.",
          409: "Not possible now: sold out, or the order's state does not allow it.", 429: "Over the token's rate limit."}


def links(status: int, parameters: dict[str, str], **targets: str) -> dict:
    """`responses` for v1.doc: OpenAPI links from the `status` answer to the operations named (by
    operationId, the view's name, which they declare), their path parameters taken from this
    request's `slug` and `parameters` (runtime expressions), so a client or Schemathesis'
    stateful phase can follow what was just made."""
    return {status: {"links": {
        name: {"operationId": name, "description": description,
               "parameters": {"slug": "$request.path.slug", **parameters}}
        for name, description in targets.items()}}}


def documented_errors(*codes: int):
    def decorator(view):
        for code in codes:
            view = v1.alt_response(code, schema=ProblemSchema, description=ERRORS[code],
                                   content_type=PROBLEM_CONTENT_TYPE)(view)
        return view
    return decorator


@v1.before_request
def _require_a_token():
    # No credentials at all: answered before any body is parsed or any row read.
    if bearer_secret() is None and request.endpoint not in PUBLIC_ENDPOINTS:
        abort(401, message=gettext("Send an API token as 'Authorization: Bearer <token>'."), headers=CHALLENGE)


@v1.errorhandler(HTTPException)
def _http_error(error: HTTPException):
    data = getattr(error, "data", None) or {}
    fields = _by_field(data.get("errors") or data.get("messages"))
    message = data.get("message") or (gettext("Some fields need attention.") if fields else error.description or error.name)
    response = json_error(error.code or 500, error.name.lower().replace(" ", "_"), message, fields or None)
    response.headers.update(data.get("headers") or {})
    return response


def _by_field(found) -> dict | None:
    """webargs' {location: {field: [messages]}} (or {location: [messages]} for a body that is not
    an object) as {field: message}; a body-wide problem is keyed by its location ("json")."""
    if not isinstance(found, dict):
        return None
    if not set(found) <= {"json", "query", "view_args", "form", "files", "headers"}:
        return found
    flat = {}
    for location, problems in found.items():
        items = problems.items() if isinstance(problems, dict) else [(location, problems)]
        for name, problem in items:
            key = location if name == "_schema" else name
            problem = translated(problem)  # marshmallow's English words in the request's language
            flat[key] = " ".join(map(str, problem)) if isinstance(problem, list) else str(problem)
    return flat


@v1.route("/events")
@v1.arguments(PageArgsSchema, location="query")
@v1.response(200, EventPageSchema)
@documented_errors(401, 403, 429)
def events_list(args):
    """Events this token may read."""
    actor = token_actor(Scope.EVENTS_READ)
    events, next_cursor = queries.readable_events(actor, cursor=args["cursor"], limit=args["limit"])
    return {"results": events, "next": next_cursor}


@v1.route("/events/<slug>")
@v1.response(200, EventSchema)
@documented_errors(401, 403, 404, 429)
def event_get(slug: str):
    """One event."""
    actor = token_actor(Scope.EVENTS_READ)
    return token_event(actor, slug, Action.CHECK_IN)


@v1.route("/events/<slug>/registrations")
@v1.arguments(RegistrationFilterSchema, location="query")
@v1.response(200, RegistrationPageSchema)
@documented_errors(401, 403, 404, 429)
def registrations_list(args, slug: str):
    """The event's registrations, filtered, a page at a time (ordered by id)."""
    actor = token_actor(Scope.REGISTRATIONS_READ)
    event = token_event(actor, slug, Action.VIEW_REGISTRATIONS)
    filters = queries.RegistrationFilters(status=args["status"], category=args["category"],
                                          updated_since=args["updated_since"], checked_in=args["checked_in"])
    results, next_cursor = queries.registrations_page(event, filters, cursor=args["cursor"], limit=args["limit"])
    return {"results": results, "next": next_cursor}


@v1.route("/events/<slug>/registrations/<int:registration_id>")
@v1.response(200, RegistrationSchema)
@documented_errors(401, 403, 404, 429)
@v1.doc(operationId="registration_get")
def registration_get(slug: str, registration_id: int):
    """One registration of the event."""
    actor = token_actor(Scope.REGISTRATIONS_READ)
    event = token_event(actor, slug, Action.VIEW_REGISTRATIONS)
    found = queries.registration_detail(event, registration_id)
    if found is None:
        abort(404, message=gettext("No such registration for this event."))
    return found


def _order_request(body: dict, *, idempotency_key: str | None, for_partner: bool = False) -> OrderRequest:
    """The body as the registration form's confirm step builds it: one choice per run of attendees
    in one category (attendees fill the choices' places in order). `for_partner`: a partner
    token's, with the public form's payment methods (partner.payment_method)."""
    choices: list[CategoryChoice] = []
    attendees = []
    for person in body["attendees"]:
        last = choices[-1] if choices else None
        if last and last.category_id == person["category_id"] and last.amount_minor == person["amount_minor"]:
            last.quantity += 1
        else:
            choices.append(CategoryChoice(person["category_id"], 1, person["amount_minor"]))
        attendees.append(AttendeeData(person["first_name"], person["last_name"], person["email"],
                                      {int(qid): value for qid, value in person["answers"].items()}))
    if for_partner:
        method = partner.payment_method(body)
    elif body["payment_method"] in ("card", "at_door"):
        # Organisers' tokens record how it is paid: free, invoiced or paid elsewhere.
        raise ValidationFailed({"payment_method": gettext("Choose one of the payment options offered.")})
    else:
        method = {"free": PaymentMethod.NONE, "invoice": PaymentMethod.INVOICE,
                  "paid_elsewhere": PaymentMethod.NONE}[body["payment_method"] or "free"]
    return OrderRequest(choices, attendees, buyer_name=body["buyer_name"], buyer_email=body["buyer_email"],
                        discount_code=body["discount_code"], access_code=body["access_code"], payment_method=method,
                        idempotency_key=idempotency_key, send_email=body["send_email"],
                        waiver_requested=body["waiver_requested"], waiver_reason=body["waiver_reason"],
                        ip_address=request.remote_addr or "", language=current_language(),
                        # A partner sells to the public: no card order while no card payment can start.
                        card_available=not for_partner or card_payments_available())


# One instance for every answer (a schema holds no per-dump state): building one, with its nested
# registration and category schemas, cost a create about as much as dumping it (issue 16).
_ORDER_SCHEMA = OrderSchema()


def _order_json(event, order) -> dict:
    return _ORDER_SCHEMA.dump(_order_data(event, order))


def _order_data(event, order, *, just_placed: bool = False) -> dict:
    """`just_placed`: the order this request wrote (in the session, none of it checked in yet)."""
    return ({
        "id": order.id, "code": order.code, "payment_state": order.payment_state.value,
        "payment_method": order.payment_method.value, "currency": order.currency, "total_minor": order.total_minor,
        "created_at": order.created_at,
        "registrations": [queries.registration_json(r, False) if just_placed else queries.registration_detail(event, r.id)
                          for r in order.registrations],
        "payment_url": registration_links.payment_url(order, event) if _awaits_card_payment(order) else None,
    })


def _awaits_card_payment(order) -> bool:
    """As the form's confirm step decides to send its buyer to the payment page."""
    return order.payment_method == PaymentMethod.CARD and any(
        r.status == RegistrationStatus.AWAITING_PAYMENT for r in order.registrations)


# A schema instance, not the class: webargs builds a class's instance (with its nested attendee
# schemas) for every request it parses (issue 16); a schema keeps no state between loads.
@v1.route("/events/<slug>/orders", methods=["POST"])
@v1.arguments(OrderCreateSchema())
@v1.response(201, OrderSchema)
@documented_errors(401, 403, 404, 409, 429)
@v1.doc(parameters=[idempotency.HEADER_PARAMETER],
        responses=links(201, {"order_id": "$response.body#/id"}, order_get="The order just placed.",
                        order_cancel="Cancel the order just placed.",
                        order_approve="Approve it, if a category needs approval.",
                        order_reject="Reject it, if a category needs approval."))
def order_create(body, slug: str):
    """Place an order (attendees, their answers and categories) through the registration form's own
    service, with the rules of the organiser's "add registration" page: categories of the event,
    codes, required and valid answers, one per email, capacity (the public registration window
    and the categories' sale windows bind the public, not organisers). A partner site's token
    (`registrations:public` without `registrations:write`) places it as the public form does:
    window, sale windows, hidden and approval categories, per-order limit, the event's payment
    options (a card order answers with its `payment_url`), fee waivers. Refusals are problems
    (409 sold out, 422 with `errors` by field)."""
    # As the HTML form's confirm step: the token, the event and the quote are read beside the
    # writers; SQLite's write lock is taken at place_order's decision point.
    with reads_before_writes():
        return _order_create(body, slug)


def _order_create(body, slug: str):
    actor = token_actor(Scope.REGISTRATIONS_WRITE, Scope.REGISTRATIONS_PUBLIC)
    # The creator must still manage the event's registrations, whichever kind the token is.
    event = token_event(actor, slug, Action.MANAGE_REGISTRATIONS)
    # A partner site's token (without registrations:write) places the order as the public form
    # does: the services see a member of the public, not its creator (confapp/api/partner.py).
    for_partner = not actor.token.has_scope(Scope.REGISTRATIONS_WRITE)
    if for_partner:
        partner.check_body(body)

    def place(service_key: str | None) -> tuple[int, dict]:
        order_request = _order_request(body, idempotency_key=service_key, for_partner=for_partner)
        with reads_once():
            # answer_once has just looked up the key's row: an order under its key would have had one.
            # "Paid elsewhere" is written in the order's history with "placed", in one statement.
            order = registration_services.place_order(
                event, order_request, actor=partner.PublicTokenActor(actor.token) if for_partner else actor,
                now=utcnow(), key_is_new=True,
                also_history=("paid_elsewhere",) if body["payment_method"] == "paid_elsewhere" else ())
        # A twin's order found before the decision point: what follows writes all the same.
        decision_point()
        if for_partner:
            partner.remember_order(actor.token, order)
        # The order's rows as written, none checked in yet: nothing to read back under the lock.
        return 201, _ORDER_SCHEMA.dump(_order_data(event, order, just_placed=True))

    try:
        return idempotency.answer_once(actor.token.id, body, place)
    except ValidationFailed as error:
        if for_partner:
            raise partner.clearer(error) from None
        raise


def _event_order(event, order_id: int) -> Order:
    order = db.session.scalar(select(Order).where(Order.id == order_id, Order.event_id == event.id))
    if order is None:
        abort(404, message=gettext("No such order for this event."))
    return order


def _event_registration(event, registration_id: int) -> Registration:
    found = db.session.scalar(select(Registration).where(Registration.id == registration_id,
                                                         Registration.event_id == event.id))
    if found is None:
        abort(404, message=gettext("No such registration for this event."))
    return found


@v1.route("/events/<slug>/orders/<int:order_id>")
@v1.response(200, OrderSchema)
@documented_errors(401, 403, 404, 429)
@v1.doc(operationId="order_get")
def order_get(slug: str, order_id: int):
    """One order of the event, with its registrations. A partner token (`registrations:public`
    without `registrations:read`) reads only the orders it placed; others are not found."""
    actor = token_actor(Scope.REGISTRATIONS_READ, Scope.REGISTRATIONS_PUBLIC)
    event = token_event(actor, slug, Action.VIEW_REGISTRATIONS)
    if not actor.token.has_scope(Scope.REGISTRATIONS_READ) and not partner.placed(actor.token, order_id):
        abort(404, message=gettext("No such order for this event."))
    return json_answer(200, _order_json(event, _event_order(event, order_id)))


@v1.route("/events/<slug>/orders/<int:order_id>/cancel", methods=["POST"])
@v1.arguments(CancelRequestSchema)
@v1.response(200, CancelResultSchema)
@documented_errors(401, 403, 404, 409, 429)
@v1.doc(operationId="order_cancel")
def order_cancel(body, slug: str, order_id: int):
    """Cancel every live registration of the order through the organisers' cancel service, with its
    refund rules (`policy` caps by the event's refund policy). Already cancelled: 409."""
    actor = token_actor(Scope.REGISTRATIONS_WRITE)
    event = token_event(actor, slug, Action.MANAGE_REGISTRATIONS)
    order = _event_order(event, order_id)
    before = [r.status for r in order.registrations]
    refunded = registration_services.cancel_order(order, actor=actor, reason=body["reason"], now=utcnow(),
                                                  refund=body["refund"])
    if [r.status for r in order.registrations] == before:
        raise InvalidState(gettext("This order has nothing left to cancel."))
    db.session.commit()
    return json_answer(200, CancelResultSchema().dump({"order": _order_data(event, order), "refunded_minor": refunded}))


def _decide(slug: str, order_id: int, body: dict, decision):
    actor = token_actor(Scope.REGISTRATIONS_WRITE)
    event = token_event(actor, slug, Action.MANAGE_REGISTRATIONS)
    order = decision(_event_order(event, order_id), actor=actor, now=utcnow(), message=body["message"])
    db.session.commit()
    return json_answer(200, _order_json(event, order))


@v1.route("/events/<slug>/orders/<int:order_id>/approve", methods=["POST"])
@v1.arguments(DecisionRequestSchema)
@v1.response(200, OrderSchema)
@documented_errors(401, 403, 404, 409, 429)
@v1.doc(operationId="order_approve")
def order_approve(body, slug: str, order_id: int):
    """Approve a pending order (the organisers' approval service: emails the buyer). Not pending: 409."""
    return _decide(slug, order_id, body, registration_services.approve_order)


@v1.route("/events/<slug>/orders/<int:order_id>/reject", methods=["POST"])
@v1.arguments(DecisionRequestSchema)
@v1.response(200, OrderSchema)
@documented_errors(401, 403, 404, 409, 429)
@v1.doc(operationId="order_reject")
def order_reject(body, slug: str, order_id: int):
    """Reject a pending order: its places go back (and to the waitlist). Not pending: 409."""
    return _decide(slug, order_id, body, registration_services.reject_order)


@v1.route("/events/<slug>/registrations/<int:registration_id>", methods=["PATCH"])
@v1.arguments(RegistrationUpdateSchema)
@v1.response(200, RegistrationSchema)
@documented_errors(401, 403, 404, 409, 429)
@v1.doc(operationId="registration_update")
def registration_update(body, slug: str, registration_id: int):
    """Change an attendee's name, email or answers with the same checks as registering (the
    organisers' edit service); what is left out stays as it is."""
    actor = token_actor(Scope.REGISTRATIONS_WRITE)
    event = token_event(actor, slug, Action.MANAGE_REGISTRATIONS)
    registration = _event_registration(event, registration_id)
    answers = {a.question_id: a.value for a in registration.answers}
    answers.update({int(qid): value for qid, value in (body.get("answers") or {}).items()})
    registration_services.update_answers(
        registration, first_name=body.get("first_name", registration.first_name),
        last_name=body.get("last_name", registration.last_name), email=body.get("email", registration.email),
        answers=answers, actor=actor, now=utcnow())
    db.session.commit()
    return json_answer(200, RegistrationSchema().dump(queries.registration_detail(event, registration.id)))
