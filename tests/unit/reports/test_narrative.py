import re

import pytest

from confapp.reports.narrative import NarrativeFacts, draft_narrative, people_phrase

BASE = dict(event_title="the 2016 PHRGE Institute", venue="Northeastern University School of Law", dates="8–9 December 2016",
            audience="academics, advocates and activists")


def facts(**overrides):
    return NarrativeFacts(**{**BASE, "participants": 157, **overrides})


def assert_well_formed(text: str):
    assert not re.search(r"\b1 (cities|organisations|countries|sessions|speakers)\b", text)
    assert not re.search(r"\bone (cities|organisations|countries|sessions|speakers)\b", text)
    assert not re.search(r"including[,.]", text) and "including  " not in text and not text.rstrip().endswith("including")
    assert ",," not in text and " ," not in text and ".." not in text


def test_many_cities_and_organisations_read_like_the_release():
    text = draft_narrative(facts(cities=["Baltimore", "Boston", "Chicago", "Detroit"], cities_total=10,
                                 organisations=["Boston University", "Columbia University"], organisations_total=30,
                                 sessions_total=12, speakers_total=20))
    assert text == (
        "Over 150 academics, advocates and activists from 10 cities, including Baltimore, Boston and Chicago, "
        "took part in the 2016 PHRGE Institute at Northeastern University School of Law on 8–9 December 2016. "
        "They represented 30 organisations, including Boston University and Columbia University. "
        "The programme had 12 sessions with 20 speakers."
    )
    assert_well_formed(text)


def test_no_cities_and_no_organisations_leave_no_dangling_clause():
    text = draft_narrative(facts())
    assert text == ("Over 150 academics, advocates and activists took part in the 2016 PHRGE Institute at "
                    "Northeastern University School of Law on 8–9 December 2016.")
    assert_well_formed(text)


def test_one_city_and_one_organisation_are_named_in_the_singular():
    text = draft_narrative(facts(cities=["Boston"], cities_total=1, organisations=["Boston University"], organisations_total=1,
                                 sessions_total=1, speakers_total=1))
    assert "from Boston took part" in text
    assert "They represented Boston University." in text
    assert "one session with one speaker" in text
    assert_well_formed(text)


def test_one_city_that_cannot_be_named_is_counted_in_words():
    text = draft_narrative(facts(cities=[], cities_total=1, organisations=[], organisations_total=1))
    assert "from one city took part" in text and "represented one organisation." in text
    assert_well_formed(text)


def test_two_cities_are_joined_with_and_not_including():
    text = draft_narrative(facts(cities=["Boston", "Chicago"], cities_total=2, organisations=["A", "B"], organisations_total=2))
    assert "from Boston and Chicago took part" in text
    assert "They represented A and B." in text
    assert "including" not in text
    assert_well_formed(text)


def test_two_cities_one_nameable_says_including():
    text = draft_narrative(facts(cities=["Boston"], cities_total=2, countries_total=2))
    assert "from two cities in two countries, including Boston, took part" in text
    assert_well_formed(text)


def test_many_cities_none_nameable_gives_the_count_only():
    text = draft_narrative(facts(cities=[], cities_total=7))
    assert "from seven cities took part" in text
    assert_well_formed(text)


def test_no_participants():
    assert draft_narrative(facts(participants=0)) == "No participants have been recorded for the 2016 PHRGE Institute yet."


@pytest.mark.parametrize("n,public,expected", [
    (1, False, "One participant"), (3, True, "Fewer than five participants"), (12, True, "12 participants"), (7, True, "Seven participants"),
    (20, True, "20 participants"), (157, True, "Over 150 participants"), (2345, True, "Over 2,340 participants"),
])
def test_people_phrase(n, public, expected):
    assert people_phrase(n, "", public) == expected
