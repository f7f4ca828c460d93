"""The periodic job: expired holds are released and unclaimed offers pass on."""
from datetime import timedelta

from confapp.registration.models import RegistrationStatus, WaitlistStatus
from confapp.registration.tasks import release_expired
from confapp.registration.waitlist import join_waitlist
from tests.factories import make_category, make_event, make_registration


def test_release_expired_frees_holds_and_offers_the_place(db, now):
    event = make_event(capacity=1)
    paid = make_category(event, price_kind="fixed", price_minor=9000)
    reg = make_registration(event, paid, now=now)
    entry = join_waitlist(event, name="Next", email="next@example.org", now=now)
    assert release_expired(now + timedelta(minutes=10)) == (0, 0)
    assert reg.status == RegistrationStatus.AWAITING_PAYMENT
    released, _ = release_expired(now + timedelta(minutes=31))
    assert released == 1 and reg.status == RegistrationStatus.EXPIRED
    assert entry.status == WaitlistStatus.OFFERED
    _, offers = release_expired(now + timedelta(minutes=31, hours=48))
    assert offers == 1 and entry.status == WaitlistStatus.EXPIRED


def test_a_raised_capacity_reaches_the_waitlist_on_the_next_run(db, now):
    event = make_event(capacity=1)
    make_registration(event, make_category(event), now=now)
    entry = join_waitlist(event, name="Patient", email="patient@example.org", now=now)
    assert entry.status == WaitlistStatus.WAITING
    event.capacity = 2
    release_expired(now)
    assert entry.status == WaitlistStatus.OFFERED
