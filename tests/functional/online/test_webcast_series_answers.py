"""A series registration's answers and language reach every edition (issue 15): the answers
to the registration questions are asked once on the series page and copied, question by
question, into each edition's registration, the ones created later by the job included.
(Before, the series page asked no questions and an edition with a required one refused them.)"""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from tests.support.clock import TEST_NOW


@pytest.fixture
def asked(db, webcast):
    """The template asks a required single choice, a multiple choice and the built-in organisation."""
    from confapp.registration import catalogue
    from confapp.registration.catalogue import QuestionData

    catalogue.save_question(webcast.template, QuestionData("How will you join?", "single_choice",
                                                           options=["Computer", "Phone"], required=True, position=1),
                            actor=webcast.organiser)
    catalogue.save_question(webcast.template, QuestionData("Topics", "multiple_choice",
                                                           options=["Housing", "Policing", "Water"], position=2),
                            actor=webcast.organiser)
    catalogue.set_builtin(webcast.template, "organisation", True, actor=webcast.organiser)
    db.session.commit()
    return webcast


def _by_label(registration):
    return {a.question.label: a.value for a in registration.answers}


def _mine(db, email):
    from confapp.events.models import Event
    from confapp.registration.models import Registration

    return list(db.session.scalars(select(Registration).join(Event, Event.id == Registration.event_id)
                                   .where(Registration.email == email).order_by(Event.starts_at)))


def test_answers_and_language_are_copied_to_every_edition_and_later_ones(db, asked):
    from confapp.online import series, series_schedule
    from confapp.registration.services import AttendeeData, active_questions

    first, second = series.create_editions(asked.rule, actor=asked.organiser, now=TEST_NOW, ahead=2)
    ids = {q.label: q.id for q in active_questions(first.id)}
    answers = {ids["How will you join?"]: "Phone", ids["Topics"]: ["Water", "Housing"], ids["Organisation"]: "Casa Pueblo"}
    result = series.subscribe(asked.rule, AttendeeData("Rosa", "Parks", "rosa@example.org", answers), "Online",
                              now=TEST_NOW, language="es", send_email=False)
    db.session.commit()
    assert len(result.registered) == 2 and result.refused == []
    later = datetime(2026, 12, 2, 12, 0, tzinfo=timezone.utc)  # the first edition is over: the job adds Feb and March
    assert len(series_schedule.create_due_editions(now=later)[asked.rule.id]) == 2
    mine = _mine(db, "rosa@example.org")
    assert len(mine) == 4
    expected = {"How will you join?": "Phone", "Topics": "Housing\nWater", "Organisation": "Casa Pueblo"}
    for registration in mine:
        assert _by_label(registration) == expected
        # Each edition's answers point at that edition's own questions.
        assert {a.question.event_id for a in registration.answers} == {registration.event_id}
        assert registration.spoken_language == "es"


def test_a_missing_required_answer_is_refused_before_anything_is_registered(db, asked):
    from confapp.errors import ValidationFailed
    from confapp.online import series
    from confapp.registration.services import AttendeeData, active_questions

    first, _ = series.create_editions(asked.rule, actor=asked.organiser, now=TEST_NOW, ahead=2)
    required = next(q for q in active_questions(first.id) if q.required)
    with pytest.raises(ValidationFailed) as error:
        series.subscribe(asked.rule, AttendeeData("Ana", "Ruiz", "ana@example.org"), "Online", now=TEST_NOW)
    assert list(error.value.errors) == [f"attendees-0-q_{required.id}"]
    db.session.rollback()
    assert _mine(db, "ana@example.org") == []


def test_the_series_page_asks_the_questions_and_keeps_the_answers(client, db, asked):
    from confapp.online import series
    from confapp.registration.services import active_questions

    first, _ = series.create_editions(asked.rule, actor=asked.organiser, now=TEST_NOW, ahead=2)
    db.session.commit()
    ids = {q.label: q.id for q in active_questions(first.id)}
    url = f"/series/{asked.series.slug}"
    page = client.get(url).get_data(as_text=True)
    assert "How will you join?" in page and f'name="attendees-0-q_{ids["Topics"]}"' in page
    form = {"first_name": "Rosa", "last_name": "Parks", "email": "rosa@example.org", "category": "Online",
            f"attendees-0-q_{ids['Topics']}": ["Policing"]}
    missing = client.post(f"{url}/subscribe", data=form)
    assert missing.status_code == 422 and "Choose from the options given." not in missing.text
    assert "Answer this question." in missing.text and 'value="Policing" checked' in missing.text
    assert _mine(db, "rosa@example.org") == []
    done = client.post(f"{url}/subscribe", data=form | {f"attendees-0-q_{ids['How will you join?']}": "Computer"},
                       headers={"Accept-Language": "es"}, follow_redirects=True)
    assert done.status_code == 200
    mine = _mine(db, "rosa@example.org")
    assert len(mine) == 2
    assert all(_by_label(r) == {"How will you join?": "Computer", "Topics": "Policing"} for r in mine)
    assert {r.spoken_language for r in mine} == {"es"}
