"""marshmallow schemas of /api/v1: they validate the requests, shape the answers and, through
flask-smorest, are the OpenAPI document's schemas (one source of truth). Serialisers live here,
not on the models."""
from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from ..registration.models import RegistrationStatus


class ProblemSchema(ma.Schema):
    """Every error under /api/: an RFC 9457 problem, served as application/problem+json."""

    type = fields.String(required=True, metadata={
        "description": "`about:blank` for a plain HTTP status, else `urn:confapp:problem:<code>`."})
    title = fields.String(required=True, metadata={"description": "The HTTP status's phrase."})
    status = fields.Integer(required=True, metadata={"description": "The HTTP status code."})
    detail = fields.String(required=True, metadata={"description": "What went wrong, in words, in the request's language."})
    code = fields.String(required=True, metadata={"description": "A stable machine-readable code (`sold_out`, `not_found`...)."})
    errors = fields.Dict(keys=fields.String(), values=fields.String(), metadata={
        "description": "For validation errors: the message for each field (`json` for the body as a whole)."})


class PageArgsSchema(ma.Schema):
    cursor = fields.String(load_default=None, validate=validate.Length(max=200),
                           metadata={"description": "The `next` value of the previous page."})
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


class EventSchema(ma.Schema):
    id = fields.Integer(required=True)
    slug = fields.String(required=True)
    title = fields.String(required=True)
    subtitle = fields.String(required=True)
    status = fields.String(required=True)
    timezone = fields.String(required=True)
    starts_at = fields.AwareDateTime(required=True)
    ends_at = fields.AwareDateTime(required=True)
    venue_name = fields.String(required=True)
    venue_city = fields.String(required=True)
    venue_country = fields.String(required=True)
    capacity = fields.Integer(required=True, allow_none=True)
    updated_at = fields.AwareDateTime(required=True)


def _email_or_empty(value: str) -> None:
    # Empty clears the event's contact address, as on the Details form.
    if value:
        validate.Email()(value)


class EventUpdateSchema(ma.Schema):
    starts_at = fields.AwareDateTime(metadata={"description": "The new start (ISO 8601 with its offset); left out, it stays."})
    ends_at = fields.AwareDateTime(metadata={"description": "The new end; left out, it stays."})
    # The Details form's other fields an integration may change (what is left out stays), with the
    # form's limits; checked by the form's own service (events.services.update_event).
    title = fields.String(validate=validate.Length(min=1, max=200))
    subtitle = fields.String(validate=validate.Length(max=300))
    description = fields.String(validate=validate.Length(max=50_000), metadata={"description": "Markdown."})
    venue_name = fields.String(validate=validate.Length(max=200))
    venue_address = fields.String(validate=validate.Length(max=300))
    venue_city = fields.String(validate=validate.Length(max=120))
    venue_region = fields.String(validate=validate.Length(max=120))
    venue_country = fields.String(validate=validate.Regexp(r"^([A-Za-z]{2})?$"),
                                  metadata={"description": "Two letters, such as US; empty for none."})
    venue_accessibility = fields.String(validate=validate.Length(max=20_000))
    contact_email = fields.String(validate=[validate.Length(max=254), _email_or_empty])
    registration_opens_at = fields.AwareDateTime(allow_none=True, metadata={"description": "null: open from publication."})
    registration_closes_at = fields.AwareDateTime(allow_none=True, metadata={
        "description": "null: open until the event ends; never after the (new) end."})
    notify_registered = fields.Boolean(load_default=True, metadata={
        "description": "Tell the confirmed registrations of the new date and time (one change notice each, with "
                       "the calendar file) and send reminders already sent again before it, as the Details form's box does."})


class SessionOutsideSchema(ma.Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    starts_at = fields.AwareDateTime(required=True)
    ends_at = fields.AwareDateTime(required=True)


class EventMovedSchema(EventSchema):
    """PATCH /events/<slug>'s answer: the event as GET gives it, and what the Details form warns about."""

    sessions_outside = fields.List(fields.Nested(SessionOutsideSchema), required=True, metadata={
        "description": "The scheduled, not cancelled sessions now on a day outside the event's dates (in its time "
                       "zone), by start: moved with the event all the same, for the organiser to place. Empty when "
                       "none; the same on a repeated request."})


class EventPageSchema(ma.Schema):
    results = fields.List(fields.Nested(EventSchema), required=True)
    next = fields.String(required=True, allow_none=True)


class CategorySchema(ma.Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)


class RegistrationSchema(ma.Schema):
    id = fields.Integer(required=True)
    ticket_code = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf([s.value for s in RegistrationStatus]))
    first_name = fields.String(required=True)
    last_name = fields.String(required=True)
    email = fields.String(required=True)
    category = fields.Nested(CategorySchema, required=True)
    order_code = fields.String(required=True)
    is_walk_in = fields.Boolean(required=True)
    checked_in = fields.Boolean(required=True)
    created_at = fields.AwareDateTime(required=True)
    confirmed_at = fields.AwareDateTime(required=True, allow_none=True)
    cancelled_at = fields.AwareDateTime(required=True, allow_none=True)
    updated_at = fields.AwareDateTime(required=True, metadata={
        "description": "The latest of: created, confirmed, cancelled, its order changed (payment, refund)."})


class RegistrationPageSchema(ma.Schema):
    results = fields.List(fields.Nested(RegistrationSchema), required=True)
    next = fields.String(required=True, allow_none=True,
                         metadata={"description": "Pass as `cursor` (with the same filters) for the next page; null on the last."})


class RegistrationFilterSchema(PageArgsSchema):
    status = fields.String(load_default=None, validate=validate.OneOf([s.value for s in RegistrationStatus]))
    category = fields.Integer(load_default=None, validate=validate.Range(min=1, max=2**31 - 1),
                              metadata={"description": "A category id."})
    updated_since = fields.AwareDateTime(load_default=None, metadata={
        "description": "Only registrations created, confirmed, cancelled or whose order changed at or after this time."})
    checked_in = fields.String(load_default=None, validate=validate.OneOf(["yes", "no"]))


class RedeemRequestSchema(ma.Schema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=64),
                         metadata={"description": "The ticket code (what the QR code holds)."})
    station = fields.String(load_default="", validate=validate.Length(max=80))
    list_id = fields.Integer(load_default=None, validate=validate.Range(min=1, max=2**31 - 1),
                             metadata={"description": "A check-in list of the event; the main entrance when left out."})


class RedeemAttendeeSchema(ma.Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    ticket_code = fields.String(required=True)
    category = fields.String(required=True)
    pronouns = fields.String(required=True)
    organisation = fields.String(required=True)
    accessibility = fields.String(required=True)
    interpretation = fields.String(required=True)
    language = fields.String(required=True, metadata={"description": "The language the attendee (else their order) chose, by name."})


class RedeemCheckInSchema(ma.Schema):
    id = fields.Integer(required=True)
    at = fields.String(required=True, metadata={"description": "Local time of the event, HH:MM."})
    by = fields.String(required=True)
    station = fields.String(required=True)


class RedeemResultSchema(ma.Schema):
    """The desk's own answer (confapp.checkin.desk.result_json)."""

    outcome = fields.String(required=True, validate=validate.OneOf(
        ["ok", "already", "cancelled", "unpaid", "pending_approval", "wrong_event", "not_admitted", "full", "unknown"]))
    tone = fields.String(required=True)
    title = fields.String(required=True)
    message = fields.String(required=True)
    replayed = fields.Boolean(required=True)
    attendee = fields.Nested(RedeemAttendeeSchema)
    check_in = fields.Nested(RedeemCheckInSchema)
    amount_due_minor = fields.Integer()
    currency = fields.String()
    amount_due = fields.String()


class OrderAttendeeSchema(ma.Schema):
    first_name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    last_name = fields.String(load_default="", validate=validate.Length(max=120))
    email = fields.String(required=True, validate=validate.Length(min=1, max=254))
    category_id = fields.Integer(required=True, validate=validate.Range(min=1, max=2**31 - 1),
                                 metadata={"description": "The category this attendee registers in."})
    amount_minor = fields.Integer(load_default=None, validate=validate.Range(min=0, max=10**9), metadata={
        "description": "Pay what you can: the amount for this place, in minor units (the suggested amount when left out)."})
    answers = fields.Dict(keys=fields.String(validate=validate.Regexp(r"^[0-9]{1,9}$")), values=fields.Raw(),
                          load_default=dict, validate=validate.Length(max=200), metadata={
        "description": "Question id -> answer (a list of options for a multiple-choice question)."})


class OrderCreateSchema(ma.Schema):
    attendees = fields.List(fields.Nested(OrderAttendeeSchema), required=True,
                            validate=validate.Length(min=1, max=50))
    payment_method = fields.String(load_default=None, validate=validate.OneOf(
        ["free", "invoice", "paid_elsewhere", "card", "at_door"]), metadata={"description":
        "`free`: nothing is owed (a priced place becomes complimentary, which only organisers may do); "
        "`invoice`: the buyer is invoiced; `paid_elsewhere`: paid outside confapp, nothing owed here "
        "(organisers' tokens only). A partner token (`registrations:public`) has the public form's "
        "choices, those the event offers: `card` (pending payment, paid at `payment_url`), `invoice`, "
        "`at_door`, or `free` when nothing is due. Left out: `free` for an organiser's token, the card "
        "for a partner token when money is due."})
    buyer_name = fields.String(load_default="", validate=validate.Length(max=200))
    buyer_email = fields.String(load_default="", validate=validate.Length(max=254))
    discount_code = fields.String(load_default="", validate=validate.Length(max=64))
    access_code = fields.String(load_default="", validate=validate.Length(max=64))
    waiver_requested = fields.Boolean(load_default=False, metadata={
        "description": "Ask for the fee to be waived, as the form's box does (categories that offer it): the "
                       "order waits for the organisers' review."})
    waiver_reason = fields.String(load_default="", validate=validate.Length(max=2000),
                                  metadata={"description": "Why, required with `waiver_requested`."})
    send_email = fields.Boolean(load_default=True, metadata={
        "description": "Email the confirmation as the form does (always, for a partner token)."})


class OrderSchema(ma.Schema):
    id = fields.Integer(required=True)
    code = fields.String(required=True)
    payment_state = fields.String(required=True)
    payment_method = fields.String(required=True)
    currency = fields.String(required=True)
    total_minor = fields.Integer(required=True)
    created_at = fields.AwareDateTime(required=True)
    registrations = fields.List(fields.Nested(RegistrationSchema), required=True)
    payment_url = fields.String(allow_none=True, metadata={
        "description": "A card order waiting for its payment: the buyer's payment page (the one the form's "
                       "buyers use); null otherwise."})


class CancelRequestSchema(ma.Schema):
    reason = fields.String(load_default="", validate=validate.Length(max=500))
    refund = fields.String(load_default="policy", validate=validate.OneOf(["policy", "full", "none"]), metadata={
        "description": "`policy`: what the event's refund policy gives back; `full`: all that was paid; `none`."})


class CancelResultSchema(ma.Schema):
    order = fields.Nested(OrderSchema, required=True)
    refunded_minor = fields.Integer(required=True, metadata={"description": "What this cancellation refunded."})


class DecisionRequestSchema(ma.Schema):
    message = fields.String(load_default="", validate=validate.Length(max=2000),
                            metadata={"description": "Added to the email to the buyer."})


class RegistrationUpdateSchema(ma.Schema):
    first_name = fields.String(validate=validate.Length(min=1, max=120))
    last_name = fields.String(validate=validate.Length(max=120))
    email = fields.String(validate=validate.Length(min=1, max=254))
    answers = fields.Dict(keys=fields.String(validate=validate.Regexp(r"^[0-9]{1,9}$")), values=fields.Raw(),
                          validate=validate.Length(max=200), metadata={
        "description": "Question id -> answer; questions left out keep their answers."})


class CheckInListSchema(ma.Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    kind = fields.String(required=True)


class CheckInListsSchema(ma.Schema):
    results = fields.List(fields.Nested(CheckInListSchema), required=True)


class CheckInSearchArgsSchema(ma.Schema):
    q = fields.String(load_default="", validate=validate.Length(max=100),
                      metadata={"description": "A ticket code, or words of a name, email or organisation."})


class CheckInSearchRowSchema(ma.Schema):
    id = fields.Integer(required=True)
    ticket_code = fields.String(required=True)
    name = fields.String(required=True)
    email = fields.String(required=True, metadata={"description": "Masked, as at the desk."})
    category = fields.String(required=True)
    status = fields.String(required=True)
    organisation = fields.String(required=True)
    checked_in_at = fields.String(required=True, allow_none=True, metadata={"description": "Local time, HH:MM."})


class CheckInSearchSchema(ma.Schema):
    results = fields.List(fields.Nested(CheckInSearchRowSchema), required=True)


class UndoRequestSchema(ma.Schema):
    check_in_id = fields.Integer(required=True, validate=validate.Range(min=1, max=2**31 - 1))


class UndoResultSchema(ma.Schema):
    undone = fields.Integer(required=True)
    message = fields.String(required=True)


class SyncScanSchema(ma.Schema):
    scan_id = fields.String(required=True, validate=validate.Length(min=1, max=64),
                            metadata={"description": "The scanning device's own id for the scan (replays are harmless)."})
    code = fields.String(required=True, validate=validate.Length(min=1, max=64))
    station = fields.String(load_default="", validate=validate.Length(max=80))
    scanned_at = fields.AwareDateTime(load_default=None, format="iso")


class SyncRequestSchema(ma.Schema):
    scans = fields.List(fields.Nested(SyncScanSchema), required=True, validate=validate.Length(max=500))


class SyncItemSchema(RedeemResultSchema):
    scan_id = fields.String(required=True)
    conflict = fields.Boolean(required=True)
    refused = fields.Boolean(required=True)


class SyncResultSchema(ma.Schema):
    results = fields.List(fields.Nested(SyncItemSchema), required=True)
    conflicts = fields.Integer(required=True)
    refused = fields.Integer(required=True)


class CountSchema(ma.Schema):
    checked_in = fields.Integer(required=True)
    expected = fields.Integer(required=True)


class ListCountSchema(CountSchema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)


class CategoryCountSchema(CountSchema):
    name = fields.String(required=True)


class ArrivalSchema(ma.Schema):
    slot = fields.String(required=True, metadata={"description": "Start of a 15-minute slot, local HH:MM."})
    count = fields.Integer(required=True)


class CheckInStatsSchema(CountSchema):
    lists = fields.List(fields.Nested(ListCountSchema), required=True)
    categories = fields.List(fields.Nested(CategoryCountSchema), required=True)
    arrivals = fields.List(fields.Nested(ArrivalSchema), required=True)


class WalkInRequestSchema(ma.Schema):
    first_name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    last_name = fields.String(load_default="", validate=validate.Length(max=120))
    email = fields.String(required=True, validate=validate.Length(min=1, max=254),
                          metadata={"description": "The confirmation (with the ticket) is emailed there."})
    category_id = fields.Integer(required=True, validate=validate.Range(min=1, max=2**31 - 1),
                                 metadata={"description": "An active category this list admits."})
    amount_minor = fields.Integer(load_default=None, validate=validate.Range(min=0, max=10**9), metadata={
        "description": "Pay what you can: the amount, in minor units (the suggested amount when left out)."})
    station = fields.String(load_default="", validate=validate.Length(max=80))


class WalkInResultSchema(RedeemResultSchema):
    """The desk's walk-in answer, with the new registration."""

    checked_in = fields.Boolean(required=True, metadata={
        "description": "Checked in at once; false when a fee is owed (`unpaid`: take it with `pay`) "
                       "or the category needs approval."})
    registration = fields.Nested(RegistrationSchema, required=True)


class PayAtDoorRequestSchema(ma.Schema):
    registration_id = fields.Integer(required=True, validate=validate.Range(min=1, max=2**31 - 1))
    amount_minor = fields.Integer(required=True, validate=validate.Range(min=1, max=10**9),
                                  metadata={"description": "The amount received, in the order's currency's minor units."})
    how = fields.String(required=True, validate=validate.OneOf(["cash", "card", "other"]),
                        metadata={"description": "`card`: a card terminal at the door."})
    station = fields.String(load_default="", validate=validate.Length(max=80))


class WaitlistJoinSchema(ma.Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    email = fields.String(required=True, validate=validate.Length(min=1, max=254))
    category_id = fields.Integer(load_default=None, validate=validate.Range(min=1, max=2**31 - 1), metadata={
        "description": "The category wanted (one the form offers); left out: any category."})


class WaitlistEntrySchema(ma.Schema):
    id = fields.Integer(required=True)
    status = fields.String(required=True, validate=validate.OneOf(["waiting", "offered"]), metadata={
        "description": "`offered`: a place was free at once; the offer goes to the person by email."})
    category_id = fields.Integer(required=True, allow_none=True)
