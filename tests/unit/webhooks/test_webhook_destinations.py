"""Where webhooks may go: http(s) only, and never this server's own network unless the instance
allows it (server-side request forgery)."""
from __future__ import annotations

import pytest

from confapp.errors import ValidationFailed
from confapp.webhooks import services
from confapp.webhooks.destinations import UnsafeDestination, check_destination
from tests.factories import make_event, make_user


@pytest.mark.parametrize("url", [
    "ftp://example.org/hook", "file:///etc/passwd", "javascript:alert(1)", "gopher://example.org/", "example.org/hook",
    "http://user:secret@93.184.216.34/hook", "http:///no-host", "http://93.184.216.34:99999/",
])
def test_only_plain_http_and_https_urls_are_accepted(app, url):
    with app.test_request_context(), pytest.raises(UnsafeDestination):
        check_destination(url)


@pytest.mark.parametrize("url", [
    "http://127.0.0.1:8000/", "http://localhost/hook", "http://app.localhost/", "http://[::1]/", "http://10.1.2.3/",
    "http://192.168.0.10/", "http://172.16.5.4/", "http://169.254.169.254/latest/meta-data/", "http://0.0.0.0/",
    "http://[::ffff:127.0.0.1]/", "http://[fd00::1]/", "http://224.0.0.1/",
])
def test_loopback_private_and_metadata_addresses_are_refused(app, url):
    with app.test_request_context(), pytest.raises(UnsafeDestination):
        check_destination(url)


def test_public_addresses_are_accepted_and_private_ones_when_the_instance_allows(app, monkeypatch):
    with app.test_request_context():
        check_destination("https://93.184.216.34/hooks/confapp")
        monkeypatch.setitem(app.config, "WEBHOOKS_ALLOW_PRIVATE_URLS", True)
        check_destination("http://127.0.0.1:8000/hook")
        with pytest.raises(UnsafeDestination):
            check_destination("ftp://127.0.0.1/")  # the scheme rule stays


def test_the_service_refuses_an_unsafe_url_and_an_empty_choice(db, now):
    organiser = make_user()
    event = make_event(organiser=organiser)
    with pytest.raises(ValidationFailed) as refused:
        services.create_endpoint(event, url="file:///etc/passwd", event_types=[], actor=organiser, now=now)
    assert set(refused.value.errors) == {"url", "event_types"}
    with pytest.raises(ValidationFailed):
        services.create_endpoint(event, url="http://169.254.169.254/", event_types=["order.paid"], actor=organiser, now=now)
    assert not event.has_webhooks


def test_the_sender_checks_again_before_each_attempt(app):
    from confapp.webhooks.sending import post

    with app.test_request_context():
        response = post("http://127.0.0.1:9/", {}, "{}")
    assert response.status is None and "own network" in response.error


def test_an_attempt_connects_to_the_address_it_checked_and_looks_the_name_up_once(app, monkeypatch):
    """DNS rebinding: a name that answers a public address when checked and 127.0.0.1 a moment
    later must not reach 127.0.0.1. Stand-ins at the edge nobody can reach offline, named as such:
    the DNS answers (a fake resolver) and the outgoing TCP connect to a public address (recorded,
    then refused, instead of dialled)."""
    import socket

    from confapp.webhooks import sending

    lookups = []

    def fake_resolver(host, port, *args, **kwargs):
        lookups.append(host)
        address = "93.184.216.34" if len(lookups) == 1 else "127.0.0.1"
        return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (address, port))]

    dialled = []

    def recorded_connect(address, timeout=None, *args, **kwargs):
        dialled.append(address)
        raise ConnectionRefusedError("stand-in: a public address is not dialled offline")

    monkeypatch.setattr(socket, "getaddrinfo", fake_resolver)
    monkeypatch.setattr(socket, "create_connection", recorded_connect)
    with app.test_request_context():
        response = sending.post("http://hooks.example.org:8080/confapp", {}, "{}")
    assert lookups == ["hooks.example.org"]
    assert dialled == [("93.184.216.34", 8080)]
    assert response.status is None and "ConnectionRefusedError" in response.error
