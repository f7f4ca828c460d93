"""The narrative drafted in Spanish (issue 13): written for the language, with number words that
agree with their noun, lists joined with "y" (or "e"), the verb agreeing with one participant or
many, and the same rules as the English draft (nothing under five in public, no partial list
claimed whole)."""
from confapp.reports.narrative import NarrativeFacts, draft_in, draft_narrative_es, join_names_es, people_phrase_es

BASE = dict(event_title="el Instituto PHRGE 2016", venue="Facultad de Derecho de Northeastern", dates="8–9 de diciembre de 2016",
            audience="académicos, defensores y activistas")


def facts(**overrides):
    return NarrativeFacts(**{**BASE, "participants": 157, **overrides})


def test_many_cities_and_organisations():
    text = draft_narrative_es(facts(cities=["Baltimore", "Boston", "Chicago", "Detroit"], cities_total=10, countries_total=2,
                                    organisations=["NESRI", "Ford Foundation"], organisations_total=40, sessions_total=12,
                                    speakers_total=30))
    assert text == ("Más de 150 académicos, defensores y activistas de 10 ciudades de dos países, entre ellas Baltimore, Boston "
                    "y Chicago, participaron en el Instituto PHRGE 2016, en Facultad de Derecho de Northeastern "
                    "(8–9 de diciembre de 2016). Representaron a 40 organizaciones, entre ellas NESRI y Ford Foundation. "
                    "El programa tuvo 12 sesiones con 30 ponentes.")


def test_one_of_each_agrees_in_gender_and_number():
    text = draft_narrative_es(facts(participants=1, public=False, audience="participants", cities=[], cities_total=1,
                                    organisations=[], organisations_total=1, sessions_total=1, speakers_total=1))
    assert text.startswith("Una persona participante de una ciudad participó en el Instituto PHRGE 2016")
    assert "Representó a una organización." in text and "El programa tuvo una sesión con una persona ponente." in text


def test_small_public_numbers_are_not_printed_and_whole_lists_are_not_partial():
    text = draft_narrative_es(facts(participants=3, audience="", cities=["Boston", "Chicago"], cities_total=2))
    assert text.startswith("Menos de cinco participantes de Boston y Chicago participaron en ")
    assert "entre ellas" not in text and "3" not in text


def test_lists_join_with_e_before_an_i_sound_and_nothing_recorded():
    assert join_names_es(["Boston", "Indianápolis"]) == "Boston e Indianápolis"
    assert join_names_es(["Boston", "Hialeah"]) == "Boston y Hialeah"
    assert people_phrase_es(12, "", True) == "12 participantes" and people_phrase_es(7, "", True) == "Siete participantes"
    assert people_phrase_es(1234, "", True) == "Más de 1.230 participantes"
    assert draft_narrative_es(facts(participants=0)) == "Todavía no se han registrado participantes en el Instituto PHRGE 2016."
    assert draft_in("en", facts(participants=0)).startswith("No participants have been recorded")
