"""An announcement to 1,000 people sent with consumers on both hosts: the organiser presses "send"
through the balancer, the web host queues OUTREACH_DELIVERY_JOBS (5 in the harness) delivery jobs
in Redis, and both hosts' consumers claim 50-delivery batches under a lease (confapp/outreach/
delivery.py) until none are left. Each recipient gets exactly one message, with their own content.

Killed with kill -9 mid-send, a consumer leaves its claimed batches behind; the other host's jobs
send everything unclaimed, then wake when the dead one's lease runs out and send its claims too.
What delivery.py promises for a delivery the dead consumer had handed to the SMTP server without
recording the reply is at-most-once: it is marked sent and `unconfirmed` (never sent again), and
the message may or may not have arrived (it did if the final "." was written before the kill).
So: nobody gets two, everybody whose delivery is not `unconfirmed` gets exactly one, and at most
one delivery per running job of the dead consumer (it has 4 threads) is `unconfirmed`."""
from __future__ import annotations

import re
import secrets
import time
from collections import Counter

from tests.conftest import TEST_PASSWORD
from tests.support.multihost_clients import csrf_token, form_fields, new_session

RECIPIENTS = 1000


def _audience(prefix: str, count: int):
    """An event with `count` confirmed attendees (bulk inserts: the factories would take a minute)."""
    from sqlalchemy import insert, select

    from confapp.extensions import db
    from confapp.outreach import services
    from confapp.outreach.services import MessageDraft
    from confapp.registration.models import Order, PaymentState, Registration, RegistrationCategory, RegistrationStatus
    from confapp.types import utcnow
    from tests.factories import make_event, make_user

    organiser = make_user(email=f"{prefix}-organiser@example.org")
    event = make_event(organiser=organiser, slug=f"{prefix}-outreach-convening", title="Outreach Convening")
    category = RegistrationCategory(event_id=event.id, name="General")
    db.session.add(category)
    db.session.flush()
    now = utcnow()
    db.session.execute(insert(Order), [
        dict(event_id=event.id, code=f"{prefix.upper()}{event.id}-{i:05d}", buyer_name=f"{prefix}{i:04d} Person",
             buyer_email=f"{prefix}{i:04d}@example.org", payment_state=PaymentState.NOT_REQUIRED, created_at=now,
             updated_at=now) for i in range(count)])
    orders = dict(db.session.execute(select(Order.code, Order.id).where(Order.event_id == event.id)).all())
    db.session.execute(insert(Registration), [
        dict(event_id=event.id, order_id=orders[f"{prefix.upper()}{event.id}-{i:05d}"], category_id=category.id,
             status=RegistrationStatus.CONFIRMED, ticket_code=secrets.token_hex(8), first_name=f"{prefix}{i:04d}",
             last_name="Person", email=f"{prefix}{i:04d}@example.org", created_at=now) for i in range(count)])
    message = services.create_message(
        event, MessageDraft("For {{ first_name }}", "Hello {{ full_name }}, this is yours: {{ email }}.",
                            {"status": ["confirmed"]}), actor=organiser, now=now)
    db.session.flush()
    return event.slug, message.id, organiser.email


def _send_through_the_balancer(cluster, slug: str, message_id: int, email: str) -> None:
    browser = new_session()
    page = browser.get(f"{cluster.url}/account/login", timeout=30).text
    signed_in = browser.post(f"{cluster.url}/account/login", timeout=30, allow_redirects=False,
                             data={"csrf_token": csrf_token(page), "email": email, "password": TEST_PASSWORD})
    assert signed_in.status_code == 302
    page = browser.get(f"{cluster.url}/manage/{slug}/emails/{message_id}", timeout=30)
    assert page.status_code == 200, page.text[:2000]
    sent = browser.post(f"{cluster.url}/manage/{slug}/emails/{message_id}/send", timeout=30, allow_redirects=False,
                        data={"csrf_token": form_fields(page.text, "csrf_token")["csrf_token"]})
    assert sent.status_code == 302, sent.text[:2000]


def _state(cluster, message_id: int) -> tuple[str, dict[str, int]]:
    status = cluster.psql(f"SELECT status FROM outreach_messages WHERE id = {message_id}")
    rows = cluster.psql(f"SELECT state, count(*) FROM outreach_deliveries WHERE message_id = {message_id} GROUP BY state")
    return status, {state: int(n) for state, n in (line.split("|") for line in rows.splitlines() if line)}


def _wait_sent(cluster, message_id: int, timeout: float) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if _state(cluster, message_id)[0] == "sent":
            return time.monotonic() - started
        time.sleep(0.2)
    raise AssertionError(f"message {message_id} not sent after {timeout} s: {_state(cluster, message_id)}\n{cluster.logs()}")


def _received(cluster, prefix: str) -> Counter:
    with cluster.smtp.lock:
        messages = list(cluster.smtp.messages)
    return Counter(a for m in messages for a in m.envelope_to if a.startswith(prefix) and a.endswith("@example.org"))


def _own_content(cluster, prefix: str) -> None:
    with cluster.smtp.lock:
        ours = [m for m in cluster.smtp.messages if m.envelope_to[0].startswith(prefix)]
    for m in ours:
        address = m.envelope_to[0]
        first = address.split("@")[0]
        assert m.subject == f"For {first}" and f"Hello {first} Person, this is yours: {address}." in m.text


def _sent_by(host, message_id: int, log_from: int) -> int:
    """What the host's consumer reported sending for the message (one log line per finished job)."""
    return sum(int(n) for n in re.findall(rf"message {message_id}: (\d+) sent", host.log("worker.log")[log_from:]))


def test_one_thousand_recipients_each_get_one_message_from_consumers_on_both_hosts(cluster, seed):
    with seed():
        slug, message_id, email = _audience("both", RECIPIENTS)
    cluster.reset_rate_limits()
    log_from = {h.name: len(h.log("worker.log")) for h in cluster.hosts}
    _send_through_the_balancer(cluster, slug, message_id, email)
    took = _wait_sent(cluster, message_id, 120)
    assert _state(cluster, message_id) == ("sent", {"sent": RECIPIENTS})
    received = _received(cluster, "both")
    assert len(received) == RECIPIENTS and set(received.values()) == {1}, Counter(received.values())
    _own_content(cluster, "both")
    assert cluster.psql(f"SELECT count(*) FROM outreach_deliveries WHERE message_id = {message_id} AND unconfirmed") == "0"
    # Jobs log when they end; the last may end just after the message is marked sent.
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        per_host = {h.name: _sent_by(h, message_id, log_from[h.name]) for h in cluster.hosts}
        if sum(per_host.values()) == RECIPIENTS:
            break
        time.sleep(0.2)
    print(f"\n{RECIPIENTS} recipients sent in {took:.1f} s after the click; sent per host's consumer: {per_host}")
    assert sum(per_host.values()) == RECIPIENTS and min(per_host.values()) > 0, per_host


def test_a_consumer_killed_mid_send_leaves_the_rest_to_the_other_host_once_its_lease_ends(cluster, seed):
    with seed():
        slug, message_id, email = _audience("kill", RECIPIENTS)
    cluster.reset_rate_limits()
    survivor, victim = cluster.hosts
    _send_through_the_balancer(cluster, slug, message_id, email)
    deadline = time.monotonic() + 60
    while sum(_received(cluster, "kill").values()) < RECIPIENTS // 4 and time.monotonic() < deadline:
        time.sleep(0.05)
    victim.kill_worker()
    killed_at, received_at_kill = time.monotonic(), sum(_received(cluster, "kill").values())
    try:
        # Right after the kill: the claims in flight (the dead consumer's among them), lease ends in epoch s.
        claimed = {int(i): float(lease) for i, lease in (line.split("|") for line in cluster.psql(
            "SELECT id, extract(epoch FROM lease_until) FROM outreach_deliveries "
            f"WHERE message_id = {message_id} AND state = 'sending'").splitlines() if line)}
        _wait_sent(cluster, message_id, 90)
        finished_after_kill = time.monotonic() - killed_at
    finally:
        victim.start_worker()
    status, counts = _state(cluster, message_id)
    assert (status, counts) == ("sent", {"sent": RECIPIENTS}), counts
    assert received_at_kill < RECIPIENTS
    rows = [(int(i), address, flag == "t", float(sent)) for i, address, flag, sent in (line.split("|") for line in cluster.psql(
        "SELECT id, address, unconfirmed, extract(epoch FROM sent_at) FROM outreach_deliveries "
        f"WHERE message_id = {message_id}").splitlines() if line)]
    received = _received(cluster, "kill")
    unconfirmed = {address for _, address, in_doubt, _ in rows if in_doubt}
    # Taken over: claimed at the kill and sent only after that claim's lease ran out (by the survivor).
    taken_over = [address for i, address, in_doubt, sent in rows if i in claimed and sent > claimed[i] and not in_doubt]
    doubled = {a: n for a, n in received.items() if n > 1}
    missing = {address for _, address, in_doubt, _ in rows if not in_doubt and received[address] != 1}
    print(f"\nconsumer of host {victim.name} killed after {received_at_kill} of {RECIPIENTS} arrived; "
          f"{len(claimed)} deliveries claimed at that moment, {len(taken_over)} of them sent by host "
          f"{survivor.name} after the lease ran out; finished {finished_after_kill:.1f} s after the kill; "
          f"unconfirmed (in doubt, at-most-once): {len(unconfirmed)}, of which arrived: {sum(received[a] for a in unconfirmed)}")
    assert not doubled, list(doubled.items())[:5]
    assert not missing, sorted(missing)[:5]
    assert len(unconfirmed) <= 4
    assert taken_over, "the dead consumer held no claim that was taken over"
    _own_content(cluster, "kill")
