"""Access codes on the public choose step: the visitor is told why a code does not work."""
from datetime import timedelta

import pytest

from confapp.registration import catalogue
from tests.factories import make_category, make_registration
from tests.support.clock import TEST_NOW

EXPIRED = "That access code has expired."
USED_UP = "That access code has been used up."
NOT_VALID = "That access code is not valid for this event."


@pytest.fixture
def speaker(db, event):
    category = make_category(event, name="Speaker", visibility="hidden")
    db.session.commit()
    return category


def _code(db, event, organiser, category, **fields):
    code = catalogue.create_access_code(event, code="SPEAK", category_ids=[category.id], actor=organiser, **fields)
    db.session.commit()
    return code


def _lookup(client, event, typed):
    """The choose page's "Apply code" form (a GET), then a POST of the choose step carrying the code."""
    looked_up = client.get(f"/e/{event.slug}/register", query_string={"access_code": typed}).get_data(as_text=True)
    posted = client.post(f"/e/{event.slug}/register", data={"step": "choose", "access_code": typed})
    return looked_up, posted.get_data(as_text=True)


def test_expired_access_code_says_it_has_expired(client, db, event, organiser, free, speaker):
    _code(db, event, organiser, speaker, valid_until=TEST_NOW - timedelta(days=1))
    looked_up, posted = _lookup(client, event, "speak")
    for which, page in (("looked up", looked_up), ("posted", posted)):
        assert EXPIRED in page and NOT_VALID not in page and "Speaker" not in page, which


def test_used_up_access_code_says_it_has_been_used_up(client, db, event, organiser, free, speaker):
    code = _code(db, event, organiser, speaker, usage_limit=1)
    make_registration(event, speaker, access_code=code.code)
    db.session.commit()
    looked_up, posted = _lookup(client, event, "SPEAK")
    for which, page in (("looked up", looked_up), ("posted", posted)):
        assert USED_UP in page and NOT_VALID not in page and "Speaker" not in page, which


def test_unknown_access_code_is_not_valid(client, db, event, free, speaker):
    looked_up, posted = _lookup(client, event, "NOPE")
    for which, page in (("looked up", looked_up), ("posted", posted)):
        assert NOT_VALID in page and "Speaker" not in page, which


def test_valid_access_code_unlocks_its_hidden_category(client, db, event, organiser, free, speaker):
    _code(db, event, organiser, speaker)
    looked_up = client.get(f"/e/{event.slug}/register", query_string={"access_code": " speak "}).get_data(as_text=True)
    assert "Speaker" in looked_up and "access-code-error" not in looked_up
