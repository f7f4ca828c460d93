"""kill -9 one host (its gunicorn and its consumer) in the middle of a registration load: nginx
routes around it, every visitor ends registered exactly once (a visitor retries what failed, as a
browser's user would: the form token makes a repeated confirm find the same order), every failure
a visitor saw was a retryable 502/503/504, a refused connection or an answer cut off when its host
died (headers already sent: nginx cannot move that request to the other host), and the host
rejoins when it is started again."""
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
    def __init__(self, base: str, slug: str, category_id: int, n: int, prefix: str = "steady"):
        self.url = f"{base}/e/{slug}/register"
        self.slug, self.category_id, self.n, self.prefix = slug, category_id, n, prefix
        self.session = new_session()
        self.failures: list[str] = []
        self.answers: list[str] = []  # nginx's $upstream_addr: every host it tried

    @property
    def email(self) -> str:
        return f"{self.prefix}{self.n}@example.org"

    def _send(self, method: str, data: dict | None = None) -> requests.Response:
        for _ in range(20):
            try:
                response = self.session.request(method, self.url, data=data, timeout=30)
            except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError) as error:
                # ChunkedEncodingError: the killed host had begun its answer; the visitor reloads.
                self.failures.append(f"connection: {type(error).__name__}")
            else:
                self.answers.extend(r.headers.get("X-Upstream", "") for r in [*response.history, response])
                if response.status_code not in RETRYABLE:
                    return response
                self.failures.append(str(response.status_code))
            time.sleep(0.2)
        raise AssertionError(f"visitor {self.n} gave up: {self.failures}")

    def register(self) -> str:
        page = self._send("GET").text
        details = self._send("POST", {"csrf_token": csrf_token(page), "step": "choose", f"quantity_{self.category_id}": "1"})
        fields = form_fields(details.text, "form_token")
        fields.update({"step": "details", "attendees-0-first_name": f"{self.prefix.title()}{self.n}",
                       "attendees-0-last_name": "Visitor", "attendees-0-email": self.email})
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
    for thread in threads:
        thread.start()
        time.sleep(0.02)
    # Mid-load: every visitor has started and is at some step, on both hosts (the load takes 5-9 s here).
    time.sleep(max(0.0, 2.0 - (time.monotonic() - started)))
    killed_at, done_before_kill = time.monotonic() - started, len(outcomes)
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
        assert done_before_kill < CLIENTS
        assert set(failures) <= {"502", "503", "504", "connection: ConnectionError",
                                 "connection: ChunkedEncodingError"}, failures
        # Routed around: the dead host refuses connections, and nginx passes every request on to the
        # live one (its $upstream_addr then lists both) until max_fails takes the dead one out.
        after = [requests.get(f"{cluster.url}/e/{slug}/register", timeout=30) for _ in range(6)]
        assert [r.status_code for r in after] == [200] * 6
        assert {r.headers["X-Upstream"].split(", ")[-1] for r in after} == {cluster.hosts[0].address}
        rerouted = sum(1 for v in visitors for u in v.answers if u.startswith(victim.address + ", "))
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
    print(f"\n{CLIENTS} visitors, host b killed at {killed_at:.1f} s ({done_before_kill} through), load done in {load_seconds:.1f} s; "
          f"failures seen by visitors: {dict(failures)}; visitors' requests nginx passed on from the dead host: {rerouted}; host b rejoined {rejoined:.1f} s after its restart; "
          f"confirmation emails per visitor: {dict(emails)}")
    assert max(emails) == 1, emails
