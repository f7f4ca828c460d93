"""Schemas of the webhook endpoints in /api/v1 (they validate, serialise and document)."""
from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from ..webhooks.catalogue import EVENT_TYPES


class WebhookEndpointSchema(ma.Schema):
    id = fields.Integer(required=True)
    url = fields.String(required=True)
    description = fields.String(required=True)
    event_types = fields.List(fields.String(), required=True)
    active = fields.Boolean(required=True)
    disabled_reason = fields.String(required=True, metadata={"description": "Why it stopped (410 Gone, failing for days, an organiser)."})
    created_at = fields.AwareDateTime(required=True)


class WebhookEndpointListSchema(ma.Schema):
    results = fields.List(fields.Nested(WebhookEndpointSchema), required=True)


class WebhookEndpointCreateSchema(ma.Schema):
    url = fields.String(required=True, validate=validate.Length(min=1, max=2000),
                        metadata={"description": "http(s) only; not loopback or private addresses."})
    event_types = fields.List(fields.String(validate=validate.OneOf(list(EVENT_TYPES))), required=True,
                              validate=validate.Length(min=1, max=len(EVENT_TYPES)))
    description = fields.String(load_default="", validate=validate.Length(max=200))


class WebhookEndpointCreatedSchema(WebhookEndpointSchema):
    secret = fields.String(required=True, metadata={
        "description": "The signing secret (`whsec_...`), shown only in this answer."})
