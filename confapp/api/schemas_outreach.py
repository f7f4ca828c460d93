"""Schemas of outreach and reports in /api/v1 (they validate, serialise and document)."""
from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from ..outreach.models import DeliveryState, MessageStatus


class MessageVersionSchema(ma.Schema):
    subject = fields.String(load_default="", validate=validate.Length(max=300))
    body = fields.String(load_default="", validate=validate.Length(max=100_000))


class MessageCreateSchema(ma.Schema):
    subject = fields.String(required=True, validate=validate.Length(min=1, max=300))
    body = fields.String(required=True, validate=validate.Length(min=1, max=100_000), metadata={
        "description": "Markdown with merge fields ({{ first_name }}...), as in the composer."})
    segment = fields.Dict(load_default=lambda: {"all": True}, validate=validate.Length(max=20), metadata={
        "description": "Who receives it: a tree of conditions, as the composer builds ({\"all\": true}, "
                       "{\"and\": [...]}, {\"status\": [\"confirmed\"]}, {\"category\": [id]}, {\"checked_in\": true}...)."})
    translations = fields.Dict(keys=fields.String(validate=validate.Length(max=10)),
                               values=fields.Nested(MessageVersionSchema), load_default=None,
                               validate=validate.Length(max=20), metadata={
        "description": "Other languages' versions: {\"es\": {\"subject\": ..., \"body\": ...}}."})
    untranslated_fallback = fields.Boolean(load_default=False, metadata={
        "description": "People whose language has no version get the default one."})


# One count per delivery state (queued, sending, sent, failed, skipped...), and the totals.
DeliveryCountsSchema = type("DeliveryCountsSchema", (ma.Schema,), {
    "total": fields.Integer(required=True),
    "done": fields.Integer(required=True, metadata={"description": "Sent, failed or skipped."}),
    "finished": fields.Boolean(required=True),
    **{state.value: fields.Integer(required=True) for state in DeliveryState},
})


class MessageSchema(ma.Schema):
    id = fields.Integer(required=True)
    subject = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf([s.value for s in MessageStatus]))
    segment = fields.Dict(required=True)
    segment_label = fields.String(required=True, metadata={"description": "The segment in words."})
    recipients = fields.Integer(required=True, allow_none=True, metadata={
        "description": "How many people the segment holds now (for a draft: who would receive it); "
                       "null when a condition names something deleted since."})
    created_at = fields.AwareDateTime(required=True)
    sent_at = fields.AwareDateTime(required=True, allow_none=True)
    deliveries = fields.Nested(DeliveryCountsSchema, required=True, metadata={
        "description": "Deliveries by state (all zero before sending)."})


class PublishedReportSchema(ma.Schema):
    published_at = fields.AwareDateTime(required=True)
    texts = fields.Dict(keys=fields.String(), values=fields.String(), required=True, metadata={
        "description": "The report's texts, in the event's language for this request where translated."})
    headline = fields.Dict(keys=fields.String(), values=fields.Raw(allow_none=True), required=True, metadata={
        "description": "The headline figures, small counts suppressed (\"fewer than 5\", \"not shown\")."})
    figures = fields.Dict(required=True, metadata={"description": "Every published figure, as the public report page."})


class LiveFiguresSchema(ma.Schema):
    computed_at = fields.AwareDateTime(required=True, allow_none=True, metadata={
        "description": "When the dashboard's figures were counted; null: frozen at the personal-data purge."})
    frozen = fields.Boolean(required=True)
    headline = fields.Dict(keys=fields.String(), values=fields.Raw(allow_none=True), required=True)
    figures = fields.Dict(required=True, metadata={"description": "The organisers' dashboard figures (nothing suppressed)."})
