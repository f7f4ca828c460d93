"""Desk findings from driving the journeys as a new user would (issue 11), through the test client."""
import re

import pytest

from confapp.checkin import services
from confapp.types import utcnow
from tests.support.access import ORGANISER, STAFF, access_world
from tests.support.checkin import category

JSON = {"Accept": "application/json"}


@pytest.fixture
def world(db):
    world = access_world()
    world.event.timezone = "America/New_York"
    world.list = services.main_list(world.event, actor=world.users[ORGANISER], now=utcnow())
    world.pwyc = category(world.event, "Solidarity", price_kind="pay_what_you_can", min_minor=500, suggested_minor=2500,
                          max_minor=10000)
    db.session.commit()
    return world


def test_walk_in_in_pay_what_you_can_pays_the_amount_typed(client, world, login_as):
    login_as(world.users[STAFF])
    url = f"/checkin/api/lists/{world.list.id}/walkin"
    page = client.get(f"/manage/{world.event.slug}/checkin/desk/{world.list.id}").get_data(as_text=True)
    assert 'id="walkin-amount" name="amount"' in page and 'data-pay-what-you-can' in page
    low = client.post(url, json={"first_name": "Low", "email": "low@example.org", "category_id": world.pwyc.id,
                                 "amount": "1"}, headers=JSON)
    assert low.status_code == 422 and "Pay at least" in " ".join(low.json["error"]["fields"].values())
    bad = client.post(url, json={"first_name": "Bad", "email": "bad@example.org", "category_id": world.pwyc.id,
                                 "amount": "twelve"}, headers=JSON)
    assert bad.status_code == 422 and bad.json["error"]["fields"]["amount"]
    good = client.post(url, json={"first_name": "Noor", "email": "noor@example.org", "category_id": world.pwyc.id,
                                  "amount": "12"}, headers=JSON)
    assert good.status_code == 200 and good.json["outcome"] == "unpaid"
    assert good.json["amount_due_minor"] == 1200 and good.json["amount_due"] == "12.00"


def test_desk_names_its_time_zone_and_its_fold_outs(client, world, login_as):
    login_as(world.users[STAFF])
    page = client.get(f"/manage/{world.event.slug}/checkin/desk/{world.list.id}").get_data(as_text=True)
    assert 'data-timezone="America/New_York"' in page
    assert re.search(r"Times on this desk are America/New York time \((EST|EDT)\)", page)
    assert '<details class="desk__walkin" aria-labelledby="walkin-summary">' in page
    assert '<summary id="walkin-summary">' in page
    assert '<details class="desk__settings" aria-labelledby="desk-settings-summary">' in page
