"""A real HTTP receiver for outgoing webhooks, with its own implementation of the Standard
Webhooks verification (not the sender's library): HMAC-SHA256 under the base64 secret after
"whsec_", over "<webhook-id>.<webhook-timestamp>.<body>", compared with every "v1,<sig>" in
webhook-signature, and the timestamp within five minutes of the receiver's clock.

It answers the statuses scripted in `answers` (then 200), records every request, and applies
each webhook-id once (`applied`), as the spec asks receivers to."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from confapp.clock import utcnow


def verify(secret: str, headers: dict[str, str], body: bytes, *, now: float | None = None, tolerance: int = 300) -> bool:
    headers = {k.lower(): v for k, v in headers.items()}
    webhook_id, timestamp, signatures = (headers.get("webhook-id"), headers.get("webhook-timestamp"),
                                         headers.get("webhook-signature"))
    if not (webhook_id and timestamp and signatures):
        return False
    now = utcnow().timestamp() if now is None else now
    if abs(now - int(timestamp)) > tolerance:
        return False
    key = base64.b64decode(secret.removeprefix("whsec_"))
    expected = hmac.new(key, f"{webhook_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    for candidate in signatures.split(" "):
        version, _, value = candidate.partition(",")
        if version == "v1" and hmac.compare_digest(base64.b64decode(value), expected):
            return True
    return False


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    verified: bool
    status: int

    @property
    def webhook_id(self) -> str:
        return self.headers.get("webhook-id", "")

    @property
    def json(self) -> dict:
        return json.loads(self.body)


@dataclass
class Receiver:
    secret: str | None = None
    answers: list[int] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    applied: dict[str, dict] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/hooks"

    def handle(self, path: str, headers: dict[str, str], body: bytes) -> int:
        with self.lock:
            ok = self.secret is not None and verify(self.secret, headers, body)
            status = (self.answers.pop(0) if self.answers else 200) if ok else 401
            record = Received(path, {k.lower(): v for k, v in headers.items()}, body, ok, status)
            self.received.append(record)
            if ok and 200 <= status < 300:
                self.applied.setdefault(record.webhook_id, record.json)
            return status


def start_receiver(secret: str | None = None, answers: list[int] | None = None) -> Receiver:
    receiver = Receiver(secret=secret, answers=list(answers or []))

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (http.server's name)
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            status = receiver.handle(self.path, dict(self.headers.items()), body)
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    receiver.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=receiver.server.serve_forever, daemon=True).start()
    return receiver


def stop_receiver(receiver: Receiver) -> None:
    receiver.server.shutdown()
    receiver.server.server_close()
