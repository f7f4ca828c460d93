"""Stripe webhook bodies that are not readable events answer 400 and store nothing, whether the
problem shows before the signature check (not UTF-8) or after it (correctly signed, but not JSON,
or an amount that is not a number)."""
from __future__ import annotations

import json
import time

import pytest
from sqlalchemy import func, select

from confapp.payments.models import StripeEvent
from tests.support.localstripe import WEBHOOK_SECRET, signature_header
from tests.support.payments import gateway, localstripe  # noqa: F401  (fixtures)

URL = "/payments/stripe/webhook"


def _post(client, body: bytes, *, signed: bool = True):
    headers = {"Content-Type": "application/json"}
    if signed:
        timestamp = int(time.time())
        # Sign the bytes as Stripe does (HMAC over "<t>.<body>"), whatever their encoding.
        import hashlib
        import hmac

        mac = hmac.new(WEBHOOK_SECRET.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
        headers["Stripe-Signature"] = f"t={timestamp},v1={mac}"
    return client.post(URL, data=body, headers=headers)


def _event(kind: str, obj: dict, event_id: str = "evt_malformed_1") -> bytes:
    return json.dumps({"id": event_id, "object": "event", "type": kind, "data": {"object": obj}}).encode()


def _stored(db) -> int:
    return db.session.scalar(select(func.count()).select_from(StripeEvent))


@pytest.mark.parametrize("signed", [True, False])
def test_a_body_that_is_not_utf8_is_a_400(client, db, gateway, signed):
    response = _post(client, b'{"id": "evt_1", "type": "charge.refunded", "x": "\xff\xfe"}', signed=signed)
    assert response.status_code == 400 and response.is_json
    assert _stored(db) == 0


def test_signed_bodies_that_are_not_events_are_a_400(client, db, gateway):
    for body in (b"not json at all", b"[1, 2, 3]", b'{"id": ["evt"], "type": "charge.refunded"}',
                 b'{"id": "evt_2", "type": 42}', json.dumps({"id": "e" * 300, "type": "x"}).encode()):
        payload = body.decode()
        response = client.post(URL, data=body, headers={"Content-Type": "application/json",
                                                        "Stripe-Signature": signature_header(payload)})
        assert response.status_code == 400, body
        assert response.json["error"]["code"] == "malformed_event"
    assert _stored(db) == 0


@pytest.mark.parametrize("kind, obj", [
    ("charge.refunded", {"id": "ch_1", "payment_intent": "pi_1", "currency": "usd", "amount_refunded": "lots"}),
    ("charge.refunded", {"id": "ch_1", "payment_intent": "pi_1", "currency": "usd", "amount_refunded": 100,
                         "refunds": {"data": [{"id": "re_1", "amount": "1e30"}]}}),
    ("charge.refunded", {"id": "ch_1", "payment_intent": "pi_1", "currency": "usd", "amount_refunded": 10**30}),
    ("checkout.session.expired", {"id": "cs_1", "amount_total": "abc", "currency": "usd"}),
    ("checkout.session.expired", {"id": {"nested": 1}, "amount_total": 100, "currency": "usd"}),
    ("checkout.session.expired", {"id": "cs_1", "currency": ["usd"]}),
    ("payment_intent.payment_failed", {"id": 12345, "last_payment_error": {"message": "x"}}),
    ("charge.refunded", {"id": "ch_1", "refunds": {"data": ["not an object"]}, "currency": "usd"}),
    ("charge.refunded", "not an object"),
])
def test_signed_events_with_fields_of_the_wrong_kind_are_a_400(client, db, gateway, kind, obj):
    response = _post(client, _event(kind, obj))
    assert response.status_code == 400, response.data[:300]
    assert response.json["error"]["code"] == "malformed_event"
    assert _stored(db) == 0


def test_a_well_formed_event_we_ignore_is_still_accepted(client, db, gateway):
    response = _post(client, _event("customer.created", {"id": "cus_1"}, event_id="evt_ignored_1"))
    assert response.status_code == 200 and response.json["outcome"] == "ignored"
