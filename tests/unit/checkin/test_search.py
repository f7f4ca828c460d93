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


def test_an_order_placed_is_indexed_from_the_answers_it_wrote_without_reading_them_back(db, now):
    from tests.support.queries import count_queries

    event = make_event()
    checkin_list = services.main_list(event, actor=make_user(), now=now)
    attendee(event, first_name="Warm", last_name="Up", answers={"organisation": "First"})  # the question exists now
    with count_queries(db.engine) as counter:
        attendee(event, first_name="Lena", last_name="Berg", answers={"organisation": "Cooperativa Sur"})
    assert not [s for s in counter if "FROM answers" in s], counter.statements
    assert _names(checkin_list, "cooperativa") == ["Lena Berg"] and _names(checkin_list, "sur berg") == ["Lena Berg"]


def test_a_new_registration_whose_question_the_session_does_not_hold_reads_it(db, now):
    from confapp.registration.models import Answer, Registration

    event = make_event()
    checkin_list = services.main_list(event, actor=make_user(), now=now)
    first = attendee(event, first_name="Sam", last_name="Lee", answers={"organisation": "Old Union"})
    ids = {"order_id": first.order_id, "category_id": first.category_id, "question_id": first.answers[0].question_id,
           "event_id": event.id, "list_id": checkin_list.id}
    db.session.commit()
    db.session.expunge_all()
    from confapp.checkin.models import CheckInList

    checkin_list = db.session.get(CheckInList, ids["list_id"])
    added = Registration(event_id=ids["event_id"], order_id=ids["order_id"], category_id=ids["category_id"], status="confirmed",
                         ticket_code="handmade-ticket-code-1", first_name="Kim", last_name="Ng", email="kim@example.org",
                         search_text="kim ng", price_minor=0, is_walk_in=False, created_at=now)
    added.answers = [Answer(question_id=ids["question_id"], value="Harbour Workers")]
    db.session.add(added)
    db.session.flush()
    assert _names(checkin_list, "harbour") == ["Kim Ng"]
