import pytest

from confapp.errors import ValidationFailed
from confapp.extensions import db as database
from confapp.outreach import audience, segments
from tests.support.outreach import build_people
from tests.support.queries import count_queries


@pytest.fixture
def people(db):
    return build_people()


def addresses(people, segment):
    return sorted(r.address.split("@")[0] for r in segments.resolve(people.event.id, segment))


def test_everyone_is_registrations_waitlist_and_staff_once_each(people):
    found = addresses(people, {"all": True})
    admin = [a for a in found if a.startswith("person")]
    assert len(admin) == 1  # the admin who created the event is one of its organisers
    assert sorted(set(found) - set(admin)) == ["ana", "ben", "cai", "chk", "dee", "eve", "fay", "gus", "hal",
                                               "ivy", "jon", "org"]
    assert "zed" not in found and "kim" not in found


@pytest.mark.parametrize("segment, expected", [
    ({"status": ["confirmed"]}, ["ana", "ben", "cai", "gus", "hal"]),
    ({"status": ["cancelled"]}, ["eve", "hal"]),
    ({"status": ["pending_approval"]}, ["dee"]),
    ({"status": ["awaiting_payment"]}, ["fay"]),
    ({"status": ["waitlisted"]}, ["ivy", "jon"]),
    ({"status": ["pending_approval", "waitlisted"]}, ["dee", "ivy", "jon"]),
    ({"payment": ["paid"]}, ["ana", "hal"]),
    ({"payment": ["unpaid"]}, ["ben", "fay", "hal"]),
    ({"payment": ["waived"]}, ["cai"]),
    ({"payment": ["refunded"]}, ["eve"]),
    ({"answer": {"question": "INTERP", "value": "Spanish"}}, ["ana", "cai", "eve"]),
    ({"answer": {"question": "INTERP", "value": "french"}}, ["ben", "gus"]),
    ({"answer": {"question": "INTERP", "value": ""}}, ["ana", "ben", "cai", "eve", "gus"]),
    ({"and": [{"status": ["confirmed"]}, {"answer": {"question": "INTERP", "value": "Spanish"}}]}, ["ana", "cai"]),
    ({"and": [{"status": ["confirmed"]}, {"not": {"payment": ["paid"]}}]}, ["ben", "cai", "gus"]),
    ({"or": [{"status": ["waitlisted"]}, {"payment": ["waived"]}]}, ["cai", "ivy", "jon"]),
    ({"not": {"all": True}}, []),
    ({"and": [{"not": {"staff": True}}, {"not": {"status": ["confirmed", "cancelled"]}}]}, ["dee", "fay", "ivy", "jon"]),
])
def test_each_filter_and_combination_counts_exactly(people, segment, expected):
    segment = _with_ids(segment, people)
    assert addresses(people, segment) == expected
    count, _ = segments.count_and_sample(people.event.id, segment)
    assert count == len(expected)


def test_category_filter(people):
    assert addresses(people, {"category": [people.general.id]}) == ["ana", "ben", "eve", "fay", "hal"]
    assert addresses(people, {"category": [people.student.id]}) == ["cai", "dee", "gus", "hal"]
    # Hal has a registration in each category: conditions hold for the person.
    assert addresses(people, {"and": [{"category": [people.general.id]}, {"category": [people.student.id]}]}) == ["hal"]


def test_staff_filter_and_its_complement(people):
    staff = addresses(people, {"staff": True})
    assert len(staff) == 3 and {"org", "chk"} <= set(staff)
    assert len(addresses(people, {"not": {"staff": True}})) == 10


def test_a_person_with_two_registrations_is_one_recipient_with_the_confirmed_one(people):
    recipients = segments.resolve(people.event.id, {"all": True})
    hal = [r for r in recipients if r.address == "hal@example.org"]
    assert len(hal) == 1 and hal[0].registration_id == people.registrations["hal"].id


def test_count_and_sample_run_in_two_queries_whatever_the_segment(people):
    with count_queries(database.session.get_bind(), ignore_savepoints=False) as statements:
        segment = {"or": [{"and": [{"status": ["confirmed"]}, {"not": {"payment": ["paid"]}}]},
                          {"answer": {"question": people.interpretation.id, "value": "Spanish"}}, {"staff": True}]}
        count, sample = segments.count_and_sample(people.event.id, segment)
    assert len(statements) == 2
    assert count == 8  # ben cai gus + ana eve + three staff
    assert sample[:2] == ["Ana Alves", "Ben Brown"]


@pytest.mark.parametrize("segment", [
    {"status": ["nonsense"]}, {"payment": []}, {"and": []}, {"frobnicate": True}, {"status": ["confirmed"], "x": 1},
    {"answer": {"value": "x"}}, {"category": ["abc"]}, "not a dict",
])
def test_malformed_segments_are_refused(people, segment):
    with pytest.raises(ValidationFailed) as error:
        segments.validate_segment(people.event.id, segment)
    assert "segment" in error.value.errors


def test_describe_reads_like_the_composer(people):
    label = audience.describe(people.event.id, {"and": [{"status": ["confirmed"]}, {"not": {"category": [people.student.id]}}]})
    assert label == "(Status: Confirmed AND NOT Category: Student)"


def test_checked_in_and_no_show_segments(people, now):
    from confapp.checkin.models import CheckIn, CheckInList

    door = CheckInList(event_id=people.event.id, name="Main door")
    database.session.add(door)
    database.session.flush()
    for key in ("ana", "ben"):
        database.session.add(CheckIn(event_id=people.event.id, list_id=door.id, registration_id=people.registrations[key].id,
                                     checked_in_at=now))
    # An undone check-in does not count.
    database.session.add(CheckIn(event_id=people.event.id, list_id=door.id, registration_id=people.registrations["cai"].id,
                                 checked_in_at=now, reverted_at=now))
    database.session.flush()
    assert addresses(people, {"checked_in": True}) == ["ana", "ben"]
    assert addresses(people, {"no_show": True}) == ["cai", "gus", "hal"]
    assert addresses(people, {"and": [{"status": ["confirmed"]}, {"not": {"checked_in": True}}]}) == ["cai", "gus", "hal"]
    assert len(addresses(people, {"not": {"checked_in": True}})) == 11


def test_session_signups_and_speakers(people):
    from confapp.program.models import ProgramSession, SessionSignup, Speaker

    workshop = ProgramSession(event_id=people.event.id, title="Budget advocacy workshop")
    other = ProgramSession(event_id=people.event.id, title="Housing panel")
    database.session.add_all([workshop, other])
    database.session.flush()
    for key in ("ana", "gus"):
        database.session.add(SessionSignup(session_id=workshop.id, registration_id=people.registrations[key].id))
    database.session.add(SessionSignup(session_id=other.id, registration_id=people.registrations["ben"].id))
    # A speaker who also registered (ana) and one who did not.
    database.session.add_all([Speaker(event_id=people.event.id, name="Ana Alves", email="ana@example.org"),
                              Speaker(event_id=people.event.id, name="Sam Speaker", email="sam@example.org")])
    database.session.flush()
    assert addresses(people, {"session": [workshop.id]}) == ["ana", "gus"]
    assert addresses(people, {"session": [workshop.id, other.id]}) == ["ana", "ben", "gus"]
    assert addresses(people, {"speakers": True}) == ["ana", "sam"]
    assert addresses(people, {"and": [{"speakers": True}, {"not": {"status": ["confirmed"]}}]}) == ["sam"]
    assert len(addresses(people, {"all": True})) == 14  # sam joins; ana stays one person
    sam = next(r for r in segments.resolve(people.event.id, {"speakers": True}) if r.address == "sam@example.org")
    assert sam.registration_id is None and sam.source == "speaker"
    label = audience.describe(people.event.id, {"session": [workshop.id]})
    assert label == "Session: Budget advocacy workshop"


def _with_ids(segment, people):
    if isinstance(segment, dict):
        return {k: _with_ids(v, people) for k, v in segment.items()}
    if isinstance(segment, list):
        return [_with_ids(v, people) for v in segment]
    if segment == "INTERP":
        return people.interpretation.id
    return segment


def test_language_filter_reads_each_persons_own_language_and_knows_none_for_speakers(people):
    """Registrations: the attendee's choice, else their order's; the waitlist: the language they
    joined in; staff: their profile's; people from before languages read English."""
    people.registrations["ana"].order.language = "es"
    people.registrations["ben"].order.language = "es"
    people.registrations["ben"].language = "en"  # Ben chose English on his ticket page
    people.registrations["cai"].language = "es"
    database.session.flush()
    assert addresses(people, {"language": ["es"]}) == ["ana", "cai"]
    english = addresses(people, {"language": ["en"]})
    assert "ben" in english and "ana" not in english and "cai" not in english
    assert len(english) + 2 == len(addresses(people, {"all": True}))
    assert addresses(people, {"and": [{"language": ["es"]}, {"status": ["confirmed"]}]}) == ["ana", "cai"]
    assert audience.describe(people.event.id, {"language": ["es"]}) == "Language: Spanish"
    with pytest.raises(ValidationFailed):
        segments.resolve(people.event.id, {"language": ["fr"]})
