"""kill -9 one host (its gunicorn and its consumer) in the middle of a registration load: nginx
routes around it, every visitor ends registered exactly once (a visitor retries what failed, as a
browser's user would: the form token makes a repeated confirm find the same order), every failure
a visitor saw was a retryable 502/503/504 or a refused connection, and the host rejoins when it is
started again."""
from __future__ import annotations

import threading
import time
from collections import Counter

import requests

from tests.support.multihost_clients import csrf_token, form_fields, new_session

CLIENTS = 40
RETRYABLE = {502, 503, 504}


def _prepare():
    from tests.factories import make_category, make_event, make_user

    event = make_event(organiser=make_user(), slug="failover-convening", title="Failover Convening")
    category = make_category(event, name="General", capacity=500)
    return event.slug, category.id


class Visitor:
    def __init__(self, base: str, slug: str, category_id: int, n: int):
        self.url = f"{base}/e/{slug}/register"
        self.slug, self.category_id, self.n = slug, category_id, n
        self.session = new_session()
        self.failures: list[str] = []
        self.hosts: list[str] = []

    def _send(self, method: str, data: dict | None = None) -> requests.Response:
        for _ in range(20):
            try:
                response = self.session.request(method, self.url, data=data, timeout=30)
            except requests.ConnectionError as error:
                self.failures.append(f"connection: {type(error).__name__}")
            else:
                self.hosts.extend(r.headers.get("X-Upstream", "") for r in [*response.history, response])
                if response.status_code not in RETRYABLE:
                    return response
                self.failures.append(str(response.status_code))
            time.sleep(0.2)
        raise AssertionError(f"visitor {self.n} gave up: {self.failures}")

    def register(self) -> str:
        page = self._send("GET").text
        details = self._send("POST", {"csrf_token": csrf_token(page), "step": "choose", f"quantity_{self.category_id}": "1"})
        fields = form_fields(details.text, "form_token")
        fields.update({"step": "details", "attendees-0-first_name": f"Steady{self.n}", "attendees-0-last_name": "Visitor",
                       "attendees-0-email": f"steady{self.n}@example.org"})
        confirm = form_fields(self._send("POST", fields).text, "form_token")
        confirm["step"] = "confirm"
        final = self._send("POST", confirm)
        return "registered" if "/orders/" in final.url and "You are registered" in final.text else f"{final.status_code} {final.url}"


def test_a_host_killed_mid_load_loses_and_doubles_nothing_and_rejoins(cluster, seed):
    with seed():
        slug, category_id = _prepare()
    cluster.reset_rate_limits()
    victim = cluster.hosts[1]
    visitors = [Visitor(cluster.url, slug, category_id, n) for n in range(CLIENTS)]
    outcomes: dict[int, str] = {}

    def run(visitor: Visitor) -> None:
        try:
            outcomes[visitor.n] = visitor.register()
        except Exception as error:  # noqa: BLE001  (reported by the test)
            outcomes[visitor.n] = f"error {error!r}"

    started = time.monotonic()
    threads = [threading.Thread(target=run, args=(v,)) for v in visitors]
    for i, thread in enumerate(threads):
        thread.start()
        time.sleep(0.02)
        if i == CLIENTS // 3:
            killed_at = time.monotonic() - started
            victim.kill()
    for thread in threads:
        thread.join(120)
    load_seconds = time.monotonic() - started
    try:
        assert Counter(outcomes.values()) == {"registered": CLIENTS}, (outcomes, cluster.logs())
        per_email = cluster.psql(
            "SELECT count(*), count(DISTINCT email), count(DISTINCT order_id) FROM registrations "
            f"WHERE category_id = {category_id}")
        assert per_email == f"{CLIENTS}|{CLIENTS}|{CLIENTS}"
        failures = Counter(f for v in visitors for f in v.failures)
        assert set(failures) <= {"502", "503", "504", "connection: ConnectionError"}, failures
        after_kill = [h for v in visitors for h in v.hosts[-2:]]
        assert victim.address not in after_kill[-CLIENTS // 2:]
    finally:
        restarted = time.monotonic()
        victim.start()
        victim.wait_ready()
    # Back in the rotation once nginx's fail_timeout has passed (10 s in deploy/nginx-upstream.conf).
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if requests.get(f"{cluster.url}/readyz", timeout=10).headers.get("X-Upstream") == victim.address:
            break
        time.sleep(0.5)
    else:
        raise AssertionError("the restarted host never got a request from the balancer again")
    rejoined = time.monotonic() - restarted
    # Confirmation emails: queued in Redis, sent by either consumer.
    deadline = time.monotonic() + 20
    addresses = [f"steady{n}@example.org" for n in range(CLIENTS)]
    while time.monotonic() < deadline and not all(cluster.smtp.to(a) for a in addresses):
        time.sleep(0.2)
    emails = Counter(len(cluster.smtp.to(a)) for a in addresses)
    print(f"\n{CLIENTS} visitors, host b killed at {killed_at:.1f} s, load done in {load_seconds:.1f} s; "
          f"failures seen by visitors: {dict(failures)}; host b rejoined {rejoined:.1f} s after its restart; "
          f"confirmation emails per visitor: {dict(emails)}")
    assert max(emails) == 1, emails
