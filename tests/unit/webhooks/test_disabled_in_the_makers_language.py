"""An endpoint the worker gives up on is disabled with a reason its maker reads in their own
language (issue 13): the reason is kept for the endpoint's page and mailed to them."""
from __future__ import annotations

from confapp.accounts.services import set_preferred_language
from confapp.extensions import db
from tests.factories import make_registration


def test_a_spanish_maker_reads_why_the_endpoint_was_disabled_in_spanish(hooked, receiver, mail):
    event, organiser, endpoint = hooked
    set_preferred_language(organiser, "es")
    db.session.commit()
    receiver.answers = [410]
    make_registration(event)
    db.session.commit()
    db.session.refresh(endpoint)
    assert not endpoint.active and endpoint.disabled_reason == "El receptor respondió 410 Gone."
    [message] = [m for m in mail.wait_for(2) if m.envelope_to == [organiser.email]]
    assert "El receptor respondió 410 Gone." in message.text and "The receiver" not in message.text
