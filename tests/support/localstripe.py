"""localstripe (a stateful fake Stripe server) on 127.0.0.1, started in a thread, and the one
test double for what it lacks: Checkout Sessions.

localstripe's command line binds every interface and pickles its state to /tmp on every
change, so its aiohttp app is run here on loopback with dump_to_disk switched off.
"""
from __future__ import annotations

import asyncio
import atexit
import hashlib
import hmac
import itertools
import secrets
import json
import threading
import time
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timezone

from confapp.clock import utcnow

from .servers import free_port, wait_for_port

WEBHOOK_SECRET = "whsec_test_confapp"
SECRET_KEY = "sk_test_confapp"


@dataclass
class LocalStripe:
    port: int
    loop: asyncio.AbstractEventLoop
    thread: threading.Thread
    runner: object

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def reset(self) -> None:
        request = urllib.request.Request(f"{self.url}/_config/data", method="DELETE")
        urllib.request.urlopen(request, timeout=10).read()

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self.runner.cleanup(), self.loop).result(timeout=10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)


_running: LocalStripe | None = None
_running_lock = threading.Lock()


def start_localstripe() -> LocalStripe:
    """The process's one localstripe server (its aiohttp app is a module global and can only
    be started once), stopped when the test process exits."""
    global _running
    with _running_lock:
        if _running is None:
            _running = _start()
            atexit.register(_running.stop)
        return _running


def _start() -> LocalStripe:
    from aiohttp import web

    import localstripe.resources as resources

    # Never write /tmp/localstripe.pickle (shared by every test run on the machine).
    resources.Store.dump_to_disk = lambda self: None
    from localstripe.server import app

    port = free_port()
    loop = asyncio.new_event_loop()
    runner = web.AppRunner(app)
    started = threading.Event()

    def run() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(runner.setup())
        loop.run_until_complete(web.TCPSite(runner, "127.0.0.1", port).start())
        started.set()
        loop.run_forever()

    thread = threading.Thread(target=run, name="localstripe", daemon=True)
    thread.start()
    started.wait(20)
    wait_for_port(port)
    return LocalStripe(port=port, loop=loop, thread=thread, runner=runner)


class FakeCheckoutSessionsApi:
    """TEST DOUBLE for Stripe's Checkout Session endpoint only (localstripe has none).

    It stands where `stripe.StripeClient().v1.checkout.sessions` stands, records the parameters
    we send and checks their shape the way Stripe would (required fields, expires_at between
    30 minutes and 24 hours ahead, idempotency: the same key returns the same session).
    Everything else (PaymentIntents, refunds) goes to the real localstripe server.
    """

    CHECKOUT_BASE = "https://checkout.stripe.com/c/pay/"

    def __init__(self, clock=None):
        # Stripe checks expires_at against its clock. The app computes expires_at from confapp's
        # clock (pinned by the suite, tests/support/clock.py), so the fake reads the same one.
        self.clock = clock or (lambda: utcnow().timestamp())
        self.created: list[dict] = []
        self.sessions: dict[str, dict] = {}
        self.by_key: dict[str, str] = {}
        self.expired: list[str] = []
        self.fail_next: Exception | None = None
        self.delay_seconds = 0.0
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def create(self, params=None, options=None):
        params = dict(params or {})
        key = (options or {}).get("idempotency_key")
        if self.fail_next is not None:
            error, self.fail_next = self.fail_next, None
            raise error
        if self.delay_seconds:
            time.sleep(self.delay_seconds)
        with self._lock:
            if key and key in self.by_key:
                return dict(self.sessions[self.by_key[key]])
            self._validate(params, self.clock())
            # Unique across fakes: the live server's database outlives each test's fake.
            session_id = f"cs_test_fake{next(self._ids):04d}{secrets.token_hex(8)}"
            session = {
                "id": session_id, "object": "checkout.session", "status": "open", "payment_status": "unpaid",
                "url": self.CHECKOUT_BASE + session_id, "expires_at": params["expires_at"],
                "payment_intent": None, "amount_total": sum(
                    item["price_data"]["unit_amount"] * item["quantity"] for item in params["line_items"]),
                "currency": params["line_items"][0]["price_data"]["currency"],
                "client_reference_id": params.get("client_reference_id"), "metadata": params.get("metadata", {}),
            }
            self.sessions[session_id] = session
            self.created.append({"params": params, "idempotency_key": key, "id": session_id})
            if key:
                self.by_key[key] = session_id
            return dict(session)

    def expire(self, session_id, params=None, options=None):
        import stripe

        session = self.sessions.get(session_id)
        if session is None:
            raise stripe.InvalidRequestError("No such checkout.session", "id", http_status=404)
        if session["status"] != "open":
            raise stripe.InvalidRequestError("Only open sessions can be expired", None, http_status=400)
        session["status"] = "expired"
        self.expired.append(session_id)
        return dict(session)

    def retrieve(self, session_id, params=None, options=None):
        return dict(self.sessions[session_id])

    def complete(self, session_id: str, payment_intent_id: str) -> dict:
        """What a buyer paying on the hosted page does to the session."""
        session = self.sessions[session_id]
        session.update(status="complete", payment_status="paid", payment_intent=payment_intent_id)
        return dict(session)

    @staticmethod
    def _validate(params: dict, now: float) -> None:
        import stripe

        for name in ("mode", "line_items", "success_url", "cancel_url"):
            if name not in params:
                raise stripe.InvalidRequestError(f"Missing required param: {name}", name, http_status=400)
        expires = params.get("expires_at")
        if expires is not None and not (now + 30 * 60 - 5 <= expires <= now + 24 * 3600):
            raise stripe.InvalidRequestError("expires_at must be 30 minutes to 24 hours ahead", "expires_at",
                                             http_status=400)


# --- webhook payloads ----------------------------------------------------------------------------

_event_ids = itertools.count(1)


def signature_header(payload: str, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    """Stripe's scheme by hand: t=<ts>,v1=<hex HMAC-SHA256(secret, "<ts>.<payload>")>."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{timestamp}.{payload}".encode(), hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def event_payload(kind: str, obj: dict, event_id: str | None = None) -> str:
    return json.dumps({
        "id": event_id or f"evt_test_{next(_event_ids):06d}_{int(time.time() * 1000)}",
        "object": "event", "type": kind, "api_version": "2024-06-20",
        "created": int(datetime.now(timezone.utc).timestamp()), "livemode": False,
        "data": {"object": obj},
    })
