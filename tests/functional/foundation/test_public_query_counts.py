"""The public pages everyone reads most load what they show in a fixed, small number of
statements, whether they render or answer 304, however much the event holds."""
from __future__ import annotations

from tests.factories import make_admin, make_event
from tests.support.program_data import build_large_programme
from tests.support.queries import count_queries

# The event with its series and organisations, and whether its report is published: one SELECT.
EVENT_PAGE_QUERIES = 1
# Every published or archived event with its series and organisations.
EVENT_LIST_QUERIES = 1
# As tests/functional/program/test_agenda_query_count.py counts them: rendering the agenda sends
# its tag's statements and then loads what it draws; a 304 sends the tag's statements alone.
from tests.functional.program.test_agenda_query_count import AGENDA_QUERIES, AGENDA_TAG_QUERIES  # noqa: E402


def measure(client, db, url, **headers):
    with count_queries(db.engine) as counter:
        response = client.get(url, headers=headers)
    return response, counter


def test_event_page_is_one_select_rendered_or_not_modified(client, db):
    event = make_event(description="About **the convening**. " * 50, organisers=("PHRGE", "Law school", "NHRCN"),
                       partners=("US Human Rights Network", "Columbia"))
    db.session.commit()
    page, rendered = measure(client, db, f"/e/{event.slug}/")
    assert page.status_code == 200 and "Columbia" in page.get_data(as_text=True)
    assert rendered.count == EVENT_PAGE_QUERIES, "\n\n".join(rendered.statements)
    again, not_modified = measure(client, db, f"/e/{event.slug}/", **{"If-None-Match": page.headers["ETag"]})
    assert again.status_code == 304 and not_modified.count == EVENT_PAGE_QUERIES, not_modified.statements


def test_event_list_is_one_select_however_many_events(client, db):
    make_event(title="First", organisers=("PHRGE",))
    db.session.commit()
    _, few = measure(client, db, "/")
    for n in range(6):
        make_event(title=f"More {n}", organisers=("PHRGE", "Law school"), partners=("NHRCN",))
    db.session.commit()
    page, many = measure(client, db, "/")
    assert "More 5" in page.get_data(as_text=True)
    assert few.count == many.count == EVENT_LIST_QUERIES, "\n\n".join(many.statements)
    again, not_modified = measure(client, db, "/", **{"If-None-Match": page.headers["ETag"]})
    assert again.status_code == 304 and not_modified.count == EVENT_LIST_QUERIES


def test_large_agenda_answers_304_in_its_tags_queries_without_rendering(client, db, monkeypatch):
    event = build_large_programme(make_admin())
    db.session.commit()
    page, rendered = measure(client, db, f"/e/{event.slug}/agenda/")
    assert page.status_code == 200 and rendered.count == AGENDA_QUERIES, "\n\n".join(rendered.statements)
    import confapp.program.views_public as views

    def must_not_render(*args, **kwargs):
        raise AssertionError("a matching conditional GET rendered the agenda")

    monkeypatch.setattr(views, "render_template", must_not_render)
    again, not_modified = measure(client, db, f"/e/{event.slug}/agenda/", **{"If-None-Match": page.headers["ETag"]})
    assert again.status_code == 304 and not_modified.count == AGENDA_TAG_QUERIES, not_modified.statements
