"""The organiser's webhook pages: add (the secret shown once), edit, disable, enable, the
delivery log with every attempt, "send again"; who may reach them."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from confapp.extensions import db as database
from confapp.webhooks import services
from confapp.webhooks.models import DeliveryState, WebhookDelivery, WebhookEndpoint
from tests.factories import make_registration
from tests.support.access import ORGANISER, access_world, assert_access, organisers_only
from tests.support.webhook_receiver import start_receiver, stop_receiver


@pytest.fixture
def receiver(app, monkeypatch):
    monkeypatch.setitem(app.config, "WEBHOOKS_ALLOW_PRIVATE_URLS", True)
    started = start_receiver()
    yield started
    stop_receiver(started)


@pytest.fixture
def world(db):
    return access_world()


def _endpoint(world, url, now):
    endpoint = services.create_endpoint(world.event, url=url, event_types=["registration.created"],
                                        actor=world.users[ORGANISER], now=now)
    database.session.commit()
    return endpoint


def test_webhook_pages_are_for_the_events_organisers(client, db, world, receiver, now):
    endpoint = _endpoint(world, receiver.url, now)
    receiver.secret = endpoint.secret
    make_registration(world.event)
    database.session.commit()
    delivery = database.session.scalar(select(WebhookDelivery))
    slug = world.event.slug
    base = f"/manage/{slug}/webhooks"
    assert_access(client, db, world, [
        ("GET", base, organisers_only(200)),
        ("POST", base, organisers_only(200), {"url": receiver.url, "event_types": ["order.paid"]}),
        ("GET", f"{base}/{endpoint.id}", organisers_only(200)),
        ("POST", f"{base}/{endpoint.id}", organisers_only(302), {"url": receiver.url, "event_types": ["order.paid"]}),
        ("POST", f"{base}/{endpoint.id}/disable", organisers_only(302), {}),
        ("POST", f"{base}/{endpoint.id}/enable", organisers_only(302), {}),
        ("POST", f"{base}/deliveries/{delivery.id}/resend", organisers_only(302), {}),
        ("POST", f"{base}/{endpoint.id}/rotate-secret", organisers_only(200), {}),
        ("POST", f"{base}/{endpoint.id}/delete", organisers_only(302), {}),
    ])


def test_an_endpoint_is_added_with_its_secret_shown_once(client, db, world, receiver, login_as):
    login_as(world.users[ORGANISER])
    url = f"/manage/{world.event.slug}/webhooks"
    empty = client.get(url).get_data(as_text=True)
    assert "This event sends no webhooks yet" in empty and 'for="url"' in empty
    page = client.post(url, data={"url": receiver.url, "description": "CRM sync",
                                  "event_types": ["registration.created", "checkin.created"]})
    assert page.status_code == 200
    endpoint = database.session.scalar(select(WebhookEndpoint))
    text = page.get_data(as_text=True)
    assert endpoint.secret.startswith("whsec_") and endpoint.secret in text
    assert world.event.has_webhooks
    listing = client.get(url).get_data(as_text=True)
    detail = client.get(f"{url}/{endpoint.id}").get_data(as_text=True)
    assert receiver.url in listing and "CRM sync" in listing and "Someone is checked in" in listing
    assert endpoint.secret not in listing and endpoint.secret not in detail
    assert "Nothing has been sent to this endpoint yet" in detail


def test_an_unsafe_url_or_no_event_type_is_refused_on_its_field(client, db, world, login_as):
    login_as(world.users[ORGANISER])
    page = client.post(f"/manage/{world.event.slug}/webhooks", data={"url": "file:///etc/passwd", "event_types": []})
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Only http:// and https:// addresses can receive webhooks." in text
    assert "Choose at least one kind of event." in text
    page = client.post(f"/manage/{world.event.slug}/webhooks",
                       data={"url": "http://127.0.0.1:8080/hook", "event_types": ["order.paid"]})
    assert "own network" in page.get_data(as_text=True)
    assert database.session.scalar(select(WebhookEndpoint)) is None


def test_the_log_shows_each_attempt_and_a_delivery_can_be_sent_again(client, db, world, receiver, login_as, now):
    endpoint = _endpoint(world, receiver.url, now)
    receiver.secret = endpoint.secret
    receiver.answers = [500]
    make_registration(world.event)
    database.session.commit()
    login_as(world.users[ORGANISER])
    detail_url = f"/manage/{world.event.slug}/webhooks/{endpoint.id}"
    text = client.get(detail_url).get_data(as_text=True)
    assert "A registration is made" in text and "Waiting" in text and "500" in text and "Next try" in text
    delivery = database.session.scalar(select(WebhookDelivery))
    # Still queued: "send again" is refused until it is finished.
    refused = client.post(f"/manage/{world.event.slug}/webhooks/deliveries/{delivery.id}/resend", follow_redirects=True)
    assert "already waiting to be sent" in refused.get_data(as_text=True)
    delivery.state = DeliveryState.FAILED
    database.session.commit()
    page = client.post(f"/manage/{world.event.slug}/webhooks/deliveries/{delivery.id}/resend", follow_redirects=True)
    assert "Delivery queued to be sent again." in page.get_data(as_text=True)
    assert [r.status for r in receiver.received] == [500, 200]
    assert len({r.webhook_id for r in receiver.received}) == 1
    assert "Delivered" in client.get(detail_url).get_data(as_text=True)


def test_disable_and_enable(client, db, world, receiver, login_as, now):
    endpoint = _endpoint(world, receiver.url, now)
    login_as(world.users[ORGANISER])
    base = f"/manage/{world.event.slug}/webhooks/{endpoint.id}"
    page = client.post(f"{base}/disable", follow_redirects=True).get_data(as_text=True)
    assert "Endpoint disabled" in page and "Disabled by an organiser." in page
    assert not world.event.has_webhooks
    make_registration(world.event)
    assert database.session.scalar(select(WebhookDelivery)) is None
    page = client.post(f"{base}/enable", follow_redirects=True).get_data(as_text=True)
    assert "Endpoint enabled" in page and world.event.has_webhooks


def test_another_events_endpoint_is_not_found(client, db, world, receiver, login_as, now):
    from tests.factories import make_event

    other = make_event()
    endpoint = services.create_endpoint(other, url=receiver.url, event_types=["order.paid"],
                                        actor=world.users[ORGANISER], now=now)
    database.session.commit()
    login_as(world.users[ORGANISER])
    slug = world.event.slug
    assert client.get(f"/manage/{slug}/webhooks/{endpoint.id}").status_code == 404
    assert client.post(f"/manage/{slug}/webhooks/{endpoint.id}/disable").status_code == 404


def test_a_new_signing_secret_is_shown_once_and_signs_from_then_on(client, db, world, receiver, login_as, now):
    endpoint = _endpoint(world, receiver.url, now)
    old = endpoint.secret
    login_as(world.users[ORGANISER])
    detail = client.get(f"/manage/{world.event.slug}/webhooks/{endpoint.id}").get_data(as_text=True)
    assert "Replace the signing secret" in detail and "Delete endpoint" in detail
    page = client.post(f"/manage/{world.event.slug}/webhooks/{endpoint.id}/rotate-secret").get_data(as_text=True)
    database.session.expire_all()
    endpoint = database.session.get(WebhookEndpoint, endpoint.id)
    assert endpoint.secret != old and endpoint.secret in page and "New signing secret" in page
    assert old not in page
    receiver.secret = endpoint.secret  # the receiver verifies with the new secret only
    make_registration(world.event)
    database.session.commit()
    [request] = receiver.received  # the suite's queue sends at the commit
    assert request.verified
    detail = client.get(f"/manage/{world.event.slug}/webhooks/{endpoint.id}").get_data(as_text=True)
    assert endpoint.secret not in detail


def test_deleting_an_endpoint_removes_it_with_its_deliveries(client, db, world, receiver, login_as, now):
    endpoint = _endpoint(world, receiver.url, now)
    receiver.secret = endpoint.secret
    make_registration(world.event)
    database.session.commit()
    assert len(receiver.received) == 1
    login_as(world.users[ORGANISER])
    response = client.post(f"/manage/{world.event.slug}/webhooks/{endpoint.id}/delete")
    assert response.status_code == 302 and response.headers["Location"].endswith("/webhooks")
    database.session.expire_all()
    assert database.session.get(WebhookEndpoint, endpoint.id) is None
    assert database.session.scalar(select(WebhookDelivery)) is None
    assert "Endpoint deleted" in client.get(f"/manage/{world.event.slug}/webhooks").get_data(as_text=True)
    assert world.event.has_webhooks is False
