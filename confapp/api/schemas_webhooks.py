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


class WebhookEndpointUpdateSchema(ma.Schema):
    """Only the fields sent change; `active` false disables (what is waiting is given up), true enables."""

    url = fields.String(validate=validate.Length(min=1, max=2000))
    event_types = fields.List(fields.String(validate=validate.OneOf(list(EVENT_TYPES))),
                              validate=validate.Length(min=1, max=len(EVENT_TYPES)))
    description = fields.String(validate=validate.Length(max=200))
    active = fields.Boolean()


class WebhookDeliverySchema(ma.Schema):
    id = fields.Integer(required=True)
    webhook_id = fields.String(required=True, metadata={"description": "The webhook-id header of every attempt."})
    event_type = fields.String(required=True)
    state = fields.String(required=True, metadata={"description": "pending, sending, delivered or failed."})
    attempts = fields.Integer(required=True)
    response_code = fields.Integer(required=True, allow_none=True, metadata={"description": "The last attempt's HTTP status."})
    last_error = fields.String(required=True)
    created_at = fields.AwareDateTime(required=True)
    last_attempt_at = fields.AwareDateTime(required=True, allow_none=True)
    delivered_at = fields.AwareDateTime(required=True, allow_none=True)


class WebhookDeliveryListSchema(ma.Schema):
    results = fields.List(fields.Nested(WebhookDeliverySchema), required=True,
                          metadata={"description": "The endpoint's 50 latest deliveries, newest first."})
