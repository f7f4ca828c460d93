"""What a visitor sends is bounded before any work depends on it: quantities before the per-place
loops, request bodies, NUL characters, amounts, ids, page numbers and event dates. Each answer is a
clear 4xx message, never a 500 or a page that takes seconds to build."""
from __future__ import annotations

import time
from html import unescape

import pytest
from sqlalchemy import func, select

from confapp.events.models import Event
from tests.factories import make_admin, make_category, make_event, make_user
from tests.support.access import ORGANISER, STAFF, access_world
from tests.support.checkin import attendee

JSON = {"Accept": "application/json"}
HUGE = "9" * 22
EVENT_FORM = {"title": "Bounded Summit", "timezone": "America/Chicago", "starts_at": "2027-05-14T09:00",
              "ends_at": "2027-05-15T17:00", "series_id": "0"}


def _text(response) -> str:
    return unescape(response.get_data(as_text=True))


def _timed(call):
    started = time.perf_counter()
    response = call()
    return response, time.perf_counter() - started


@pytest.mark.parametrize("quantity", ["20000", HUGE])
@pytest.mark.parametrize("step", ["choose", "edit", "details"])
def test_a_huge_quantity_is_refused_before_any_place_is_built(client, db, quantity, step):
    event = make_event()
    category = make_category(event, name="General")
    db.session.commit()
    response, seconds = _timed(lambda: client.post(f"/e/{event.slug}/register",
                                                   data={"step": step, f"quantity_{category.id}": quantity}))
    assert response.status_code == 422
    assert "One order can hold at most 100 people." in _text(response) or "Choose a number of places." in _text(response)
    assert len(response.data) < 200_000 and seconds < 2


def test_quantities_over_the_events_per_order_maximum_are_refused_across_categories(client, db):
    event = make_event()
    first, second = make_category(event, name="General"), make_category(event, name="Student")
    db.session.commit()
    response = client.post(f"/e/{event.slug}/register",
                           data={"step": "choose", f"quantity_{first.id}": "60", f"quantity_{second.id}": "60"})
    assert response.status_code == 422 and "One order can hold at most 100 people." in _text(response)
    response = client.post(f"/e/{event.slug}/register",
                           data={"step": "choose", f"quantity_{first.id}": "6", f"quantity_{second.id}": "6"})
    assert response.status_code == 422 and "One order can hold at most 10 people." in _text(response)


def test_an_organiser_cannot_place_an_unbounded_order_either(db, now):
    from confapp.errors import ValidationFailed
    from confapp.registration.services import CategoryChoice, OrderRequest, check_choices
    from tests.factories import grant
    from confapp.accounts.models import Role

    organiser = make_user()
    event = make_event()
    grant(event, organiser, Role.ORGANISER)
    category = make_category(event)
    started = time.perf_counter()
    with pytest.raises(ValidationFailed) as refused:
        check_choices(event, OrderRequest(choices=[CategoryChoice(category.id, 10**22)], attendees=[]),
                      actor=organiser, now=now)
    assert refused.value.errors == {"quantity": "One order can hold at most 100 people."}
    assert time.perf_counter() - started < 1


def test_a_body_over_the_limit_gets_a_friendly_413_page_and_json(app, client, db):
    event = make_event()
    limit = app.config["MAX_CONTENT_LENGTH"]
    body = b"x" * (limit + 1)
    page = client.post(f"/e/{event.slug}/register", data=body, content_type="application/x-www-form-urlencoded")
    assert page.status_code == 413 and "That is too large to send" in _text(page) and "Nothing was saved" in _text(page)
    answer = client.post("/checkin/api/lists/1/redeem", data=body, content_type="application/json", headers=JSON)
    assert answer.status_code == 413 and answer.json["error"]["message"].startswith("What you sent is larger")
    # One long form field is refused too, well before the whole limit.
    field = client.post(f"/e/{event.slug}/register", data={"step": "choose", "waiver_reason": "x" * 600_000})
    assert field.status_code == 413


def test_the_body_limit_is_read_from_the_environment(monkeypatch):
    from confapp.config import Config

    assert Config().MAX_CONTENT_LENGTH <= 16 * 1024 * 1024
    monkeypatch.setenv("MAX_CONTENT_LENGTH", "1048576")
    assert Config().MAX_CONTENT_LENGTH == 1048576


def test_nul_characters_are_refused_everywhere_with_a_400(client, db, login_as):
    world = access_world()
    from confapp.checkin import services
    from confapp.types import utcnow

    checkin_list = services.main_list(world.event, actor=world.users[ORGANISER], now=utcnow())
    db.session.commit()
    slug = world.event.slug
    form = client.post(f"/e/{slug}/waitlist", data={"name": "Ana\x00", "email": "ana@example.org"})
    assert form.status_code == 400 and "NUL character" in _text(form)
    query = client.get(f"/e/{slug}/agenda/?q=a%00b")
    assert query.status_code == 400
    login_as(world.users[STAFF])
    base = f"/checkin/api/lists/{checkin_list.id}"
    search = client.get(f"{base}/search?q=%00", headers=JSON)
    assert search.status_code == 400 and "NUL character" in search.json["error"]["message"]
    walkin = client.post(f"{base}/walkin", json={"first_name": "Ana\x00", "email": "a@example.org", "category_id": 1},
                         headers=JSON)
    assert walkin.status_code == 400 and "NUL character" in walkin.json["error"]["message"]
    redeem = client.post(f"{base}/redeem", json={"code": "\x00"}, headers=JSON)
    assert redeem.status_code == 400


def test_form_fields_strip_nul_and_bound_numbers_and_dates(app):
    from confapp.events.forms import EventForm
    from confapp.registration.forms import QuestionForm

    with app.test_request_context(method="POST", data=dict(EVENT_FORM, capacity=HUGE, starts_at="0001-01-01T00:00")):
        form = EventForm()
        assert not form.validate()
        assert "Enter a number between" in form.capacity.errors[0]
        assert "between the years 2000 and 2100" in form.starts_at.errors[0]
    with app.test_request_context(method="POST", data={"label": "Diet", "kind": "short_text", "position": HUGE,
                                                       "options": "x" * 60_000}):
        form = QuestionForm()
        form.condition_question_id.choices = [(0, "-")]
        assert not form.validate()
        assert form.position.errors and form.options.errors
    with app.test_request_context(method="POST", data={}):
        form = QuestionForm(data={"label": "Di\x00et"})
        form.label.process(None, "Di\x00et")
        assert form.label.data == "Diet"


def test_every_form_class_gets_the_shared_bounds():
    import importlib

    from flask_wtf import FlaskForm

    from confapp import DOMAINS
    from confapp.forms import Form

    for domain in DOMAINS:
        try:
            importlib.import_module(f"confapp.{domain}.forms")
        except ModuleNotFoundError:
            continue

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    strays = [f"{c.__module__}.{c.__qualname__}" for c in subclasses(FlaskForm)
              if c.__module__.startswith("confapp.") and not issubclass(c, Form)]
    assert strays == []


@pytest.mark.parametrize("amount", ["1e30", HUGE, "100000.01"])
def test_a_huge_pay_what_you_can_amount_is_a_field_error(client, db, amount):
    event = make_event()
    category = make_category(event, name="Community", price_kind="pay_what_you_can", min_minor=0, suggested_minor=2000)
    db.session.commit()
    response = client.post(f"/e/{event.slug}/register", data={"step": "choose", f"quantity_{category.id}": "1",
                                                              f"amount_{category.id}": amount})
    assert response.status_code == 422 and "Enter an amount of at most 100,000.00." in _text(response)


def test_a_huge_refund_amount_is_a_field_error(client, db, login_as, now):
    from confapp.payments import services
    from tests.support.payment_orders import enable_offline_methods, make_card_order, make_paid_category

    organiser = make_user()
    event = make_event(organiser=organiser)
    enable_offline_methods(event)
    order = make_card_order(event, make_paid_category(event, price_minor=3000), now=now, payment_method="invoice")
    services.mark_paid_offline(order, method="invoice", actor=organiser, now=now, note="INV-1")
    db.session.commit()
    login_as(organiser)
    base = f"/manage/{event.slug}/orders/{order.code}"
    refused = client.post(f"{base}/refund", data={"amount": "1e30", "reason": "Typo"})
    assert refused.status_code == 422 and "Enter an amount of at most 100,000.00." in _text(refused)


def test_desk_json_refuses_huge_amounts_and_ids_with_a_message(client, db, login_as):
    world = access_world()
    from confapp.checkin import services
    from confapp.types import utcnow

    checkin_list = services.main_list(world.event, actor=world.users[ORGANISER], now=utcnow())
    owing = attendee(world.event, first_name="Kofi", due_minor=2500)
    db.session.commit()
    login_as(world.users[STAFF])
    base = f"/checkin/api/lists/{checkin_list.id}"
    pay = client.post(f"{base}/pay", json={"registration_id": owing.id, "amount": "1e30", "how": "cash"}, headers=JSON)
    assert pay.status_code == 422 and "at most" in pay.json["error"]["fields"]["amount"]
    for value in (10**22, 2**31, "9" * 30, 1e30, True, -1, "abc"):
        for path, key in (("pay", "registration_id"), ("undo", "check_in_id"), ("walkin", "category_id")):
            body = {key: value, "amount": "1", "first_name": "Ana", "email": "ana@example.org"}
            answer = client.post(f"{base}/{path}", json=body, headers=JSON)
            assert answer.status_code == 422, (path, value, answer.data[:300])
            assert key in answer.json["error"]["fields"]
    assert client.get(f"/checkin/api/lists/{HUGE}/search?q=a", headers=JSON).status_code == 404
    assert client.get(f"/checkin/api/lists/{2**31}/stats", headers=JSON).status_code == 404


def test_huge_page_numbers_and_filter_ids_show_a_page(client, db, login_as):
    organiser = make_user()
    event = make_event(organiser=organiser)
    db.session.commit()
    login_as(organiser)
    for url in (f"/manage/{event.slug}/registrations?page={HUGE}&category={HUGE}&question={HUGE}",
                f"/manage/{event.slug}/audit?page={HUGE}", f"/manage/{event.slug}/payments?page={HUGE}",
                f"/manage/{event.slug}/emails/?page={HUGE}", f"/manage/{event.slug}/checkin/dashboard?list={HUGE}",
                f"/manage/{event.slug}/programme/sessions/new?room={HUGE}"):
        assert client.get(url).status_code in (200, 404), url


@pytest.mark.parametrize("starts, ends, message", [
    ("0001-01-01T09:00", "2027-05-15T17:00", "between the years 2000 and 2100"),
    ("2027-05-14T09:00", "2999-12-31T17:00", "between the years 2000 and 2100"),
    ("2027-05-14T09:00", "2027-07-14T17:00", "An event lasts at most 60 days"),
])
def test_event_dates_are_kept_to_a_sane_window(client, db, login_as, starts, ends, message):
    login_as(make_admin())
    response = client.post("/manage/events/new", data=dict(EVENT_FORM, starts_at=starts, ends_at=ends))
    assert response.status_code in (200, 422) and message in _text(response)
    assert db.session.scalar(select(func.count()).select_from(Event).where(Event.title == "Bounded Summit")) == 0
