"""docs/api.md's worked example of verifying a webhook is run against a real delivery."""
from __future__ import annotations

import re
from pathlib import Path

from confapp.clock import utcnow
from confapp.extensions import db
from tests.factories import make_registration

DOC = Path(__file__).resolve().parents[3] / "docs" / "api.md"


def _documented_verifier():
    text = DOC.read_text()
    webhooks = text[text.index("## Webhooks"):]
    code = re.search(r"```python\n(.*?)```", webhooks, re.S).group(1)
    namespace: dict = {}
    exec(compile(code, str(DOC), "exec"), namespace)  # the reader's copy-paste, as written
    return namespace["verify_webhook"]


def test_the_documented_verification_accepts_a_real_delivery_and_refuses_a_forgery(hooked, receiver):
    verify_webhook = _documented_verifier()
    event, _, endpoint = hooked
    make_registration(event)
    db.session.commit()
    [request] = receiver.received
    now = utcnow().timestamp()  # the suite's clock, which signed it
    assert verify_webhook(endpoint.secret, request.headers, request.body, now=now)
    assert not verify_webhook(endpoint.secret, request.headers, request.body + b" ", now=now)
    assert not verify_webhook(endpoint.secret, request.headers, request.body, now=now + 600)  # a replay, later
    documented = [line.split("`")[1] for line in DOC.read_text().splitlines() if line.startswith("| `") and "." in line.split("`")[1]
                  and line.split("`")[1].split(".")[0] in ("registration", "order", "checkin", "session", "waitlist", "message", "report")]
    from confapp.webhooks.catalogue import EVENT_TYPES

    assert documented == list(EVENT_TYPES)  # every type the form offers is documented, in order
