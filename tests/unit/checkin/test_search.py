"""The desk search's prefix index follows registrations: new, renamed, purged."""
from confapp.checkin import queries, services
from confapp.checkin.search import SearchTerm, purge_event_terms
from tests.factories import make_event, make_user
from tests.support.checkin import attendee


def _names(checkin_list, query):
    return [row.name for row in queries.search(checkin_list, query)]


def test_prefix_search_any_word_order_accents_and_organisation(db, now):
    event = make_event()
    checkin_list = services.main_list(event, actor=make_user(), now=now)
    attendee(event, first_name="Diego", last_name="Ramírez Ortega", answers={"organisation": "Tenants United"})
    attendee(event, first_name="Amara", last_name="Okafor")
    other = make_event()
    attendee(other, first_name="Diego", last_name="Ramírez")
    assert _names(checkin_list, "rami") == ["Diego Ramírez Ortega"]
    assert _names(checkin_list, "ortega die") == ["Diego Ramírez Ortega"]
    assert _names(checkin_list, "ramírez") == ["Diego Ramírez Ortega"]
    assert _names(checkin_list, "tenants") == ["Diego Ramírez Ortega"]
    assert _names(checkin_list, "amara.") == ["Amara Okafor"]
    assert _names(checkin_list, "zz") == []


def test_renaming_reindexes_and_purging_removes_the_words(db, now):
    event = make_event()
    checkin_list = services.main_list(event, actor=make_user(), now=now)
    reg = attendee(event, first_name="Sam", last_name="Lee")
    reg.last_name = "Nakamura"
    db.session.flush()
    assert _names(checkin_list, "nakam") == ["Sam Nakamura"] and _names(checkin_list, "lee") == []
    purge_event_terms(event, now)
    assert SearchTerm.query.filter_by(event_id=event.id).count() == 0
