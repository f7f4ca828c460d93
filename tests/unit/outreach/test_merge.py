import pytest

from confapp.errors import ValidationFailed
from confapp.outreach import merge, segments
from confapp.outreach.services import MessageDraft, create_message
from tests.support.outreach import build_people


@pytest.fixture
def people(db):
    return build_people()


def context_for(people, address):
    recipient = next(r for r in segments.resolve(people.event.id, None) if r.address == address)
    return merge.recipient_contexts(people.event, [recipient])[address]


def test_every_field_is_merged_for_a_registered_person(people):
    body = ("{{ first_name }}|{{ last_name }}|{{ full_name }}|{{ email }}|{{ event_title }}|{{ event_dates }}|"
            "{{ event_start }}|{{ event_end }}|{{ venue }}|{{ answers.interpretation }}|{{ answers.q%d }}|"
            "{{ ticket_link }}|{{ self_service_link }}|{{ survey_link }}" % people.dietary.id)
    rendered = merge.render_message("Hi {{ first_name }}", body, context_for(people, "ana@example.org"))
    parts = rendered.text.strip().split("|")
    assert rendered.subject == "Hi Ana"
    assert parts[:9] == ["Ana", "Alves", "Ana Alves", "ana@example.org", "Known People Convening",
                         "5–6 December 2026", "5 Dec 2026, 09:00", "6 Dec 2026, 17:00", "Community Hall, Boston, Massachusetts"]
    assert parts[9:11] == ["Spanish", "vegan"]
    ticket, self_service, survey = parts[11:14]
    assert all(link.startswith("http") for link in (ticket, self_service, survey))
    assert f"/e/{people.event.slug}/" in survey and "survey" in survey
    assert "Ana Alves" in rendered.html and "<p>" in rendered.html


def test_people_without_registration_get_empty_answers_not_errors(people):
    context = context_for(people, "ivy@example.org")
    rendered = merge.render_message(
        "x", "{{ first_name }} {{ last_name }}/{{ answers.interpretation }}/{{ ticket_link }}/{{ survey_link }}", context)
    assert rendered.text.strip() == "Ivy Ito///"


@pytest.mark.parametrize("subject, body, field, fragment", [
    ("Hello", "Dear {{ frist_name }}", "body", "frist_name"),
    ("Hello {{ nickname }}", "x", "subject", "nickname"),
    ("Hello", "{{ answers.shoe_size }}", "body", "shoe_size"),
    ("Hello", "{{ first_name ", "body", "could not be read"),
])
def test_unknown_or_broken_fields_are_rejected_before_sending(people, subject, body, field, fragment):
    with pytest.raises(ValidationFailed) as error:
        create_message(people.event, MessageDraft(subject, body), actor=people.organiser, now=None)
    assert fragment in error.value.errors[field]


@pytest.mark.parametrize("attack", [
    "{{ ''.__class__ }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ first_name.__class__.__init__.__globals__ }}",
    "{{ answers.__class__ }}",
    "{{ cycler.__init__.__globals__.os }}",
    "{{ self._TemplateReference__context }}",
    "{% for x in range(10**9) %}{% endfor %}",
    "{{ answers.update({'a': 1}) }}",
])
def test_sandbox_escapes_are_refused(people, attack):
    with pytest.raises(ValidationFailed) as error:
        merge.validate_message(people.event, "Subject", attack)
    assert "body" in error.value.errors


def test_merged_values_cannot_inject_html(people):
    recipient = segments.Recipient("x@example.org", "<script>alert(1)</script>", "", None, "staff")
    context = merge.recipient_contexts(people.event, [recipient])["x@example.org"]
    rendered = merge.render_message("Hi", "Hello **{{ first_name }}**", context)
    assert "<script>" not in rendered.html
    assert "<strong>&lt;script&gt;" in rendered.html


def test_the_composer_lists_one_field_per_question(people):
    names = [f.name for f in merge.field_help(people.event)]
    assert "first_name" in names and "answers.interpretation" in names and f"answers.q{people.dietary.id}" in names
