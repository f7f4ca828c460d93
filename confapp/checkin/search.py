"""The desk's name search: a prefix index of words.

Every registration's first and last name, email (whole and in pieces) and organisation are cut
into lower-case words (plus an accent-free copy: "ramirez" finds Ramírez) in
`checkin_search_terms`, indexed on (event_id, term). Each typed word is then a range scan on
that index (`term >= "oka" AND term < "okb"`, in code-point order) and the words' matches are intersected, so a
search costs a few index look-ups whether the event has 300 or 50,000 registrations.

The terms follow the registrations: a session hook re-indexes every registration (or
organisation answer) that a flush inserted or changed, and purgers remove them with the rest
of the personal data.
"""
from __future__ import annotations

import re

from sqlalchemy import ForeignKey, Index, String, delete, event, insert, select
from sqlalchemy.orm import Mapped, Session, aliased, mapped_column, object_session
from sqlalchemy.orm.util import identity_key

from ..extensions import db
from ..registration.written import ORDER_ROWS_WRITTEN
from ..registration.models import Answer, Question, Registration
from ..text import without_accents

MAX_TERM = 80
_SPLIT = re.compile(r"[\s\-'’.,_+@()/]+")


class SearchTerm(db.Model):
    __tablename__ = "checkin_search_terms"
    # Covering: a prefix range yields registration ids without touching the table rows.
    __table_args__ = (
        Index("ix_checkin_search_terms_event_term", "event_id", "term", "registration_id"),
        Index("ix_checkin_search_terms_registration_term", "registration_id", "term"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"))
    # Compared byte by byte on PostgreSQL too. Under a language's collation (a cluster created
    # with en_US.UTF-8, say) the bound after "diaz", "dia{", sorts before it, so the range would
    # be empty and "Diaz" never found. SQLite compares bytes already.
    term: Mapped[str] = mapped_column(String(MAX_TERM).with_variant(String(MAX_TERM, collation="C"), "postgresql"))


def words(text: str) -> list[str]:
    """Lower-case words of `text` as the search cuts them (also used for typed queries)."""
    return [w[:MAX_TERM] for w in _SPLIT.split((text or "").lower()) if w]


def terms_for(first_name: str, last_name: str, email: str, organisation: str = "") -> set[str]:
    found = set(words(first_name)) | set(words(last_name)) | set(words(organisation)) | set(words(email))
    if email:
        found.add(email.lower()[:MAX_TERM])
    return found | {without_accents(t) for t in found}


def _next(prefix: str) -> str:
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def matching_ids(event_id: int, query: str, limit: int) -> list[int]:
    """Registrations of the event with, for every typed word, some term starting with it.

    The longest word (usually the most selective) drives a range scan on the covering
    (event_id, term, registration_id) index; each other word is an EXISTS probe on the
    registration's handful of terms, and the scan stops at `limit` matches."""
    typed = sorted({without_accents(w) for w in words(query)}, key=len, reverse=True)[:5]
    if not typed:
        return []
    first, others = typed[0], typed[1:]
    statement = select(SearchTerm.registration_id).where(
        SearchTerm.event_id == event_id, SearchTerm.term >= first, SearchTerm.term < _next(first))
    for word in others:
        other = aliased(SearchTerm)
        statement = statement.where(
            select(other.id).where(other.registration_id == SearchTerm.registration_id, other.term >= word,
                                   other.term < _next(word)).exists())
    return list(db.session.scalars(statement.distinct().limit(limit)))


def reindex(connection, registration_ids: set[int], *, new: list[Registration] = ()) -> None:
    """Rewrite the terms of these registrations from their current rows (Core: usable inside a
    flush). `new`: registrations inserted in this flush, whose names are taken from the objects and
    who have no terms to delete yet (two statements fewer on every order placed, issue 16)."""
    fresh = {r.id: r for r in new}
    ids = sorted(set(registration_ids) | set(fresh))
    if not ids:
        return
    organisation = {}
    unread = list(ids)
    if fresh:
        known = _organisations_in_memory(fresh.values())
        organisation = {rid: value for rid, value in known.items() if value}
        unread = [i for i in ids if i not in known]
    if unread:
        organisation.update(connection.execute(
            select(Answer.registration_id, Answer.value).join(Question, Question.id == Answer.question_id)
            .where(Answer.registration_id.in_(unread), Question.builtin_key == "organisation")
        ).all())
    rows = [(r.id, r.event_id, r.first_name, r.last_name, r.email) for r in fresh.values()]
    old = [i for i in ids if i not in fresh]
    if old:
        rows += connection.execute(
            select(Registration.id, Registration.event_id, Registration.first_name, Registration.last_name, Registration.email)
            .where(Registration.id.in_(old))
        ).all()
        connection.execute(delete(SearchTerm).where(SearchTerm.registration_id.in_(old)))
    values = [
        {"event_id": event_id, "registration_id": rid, "term": term}
        for rid, event_id, first, last, email in rows
        for term in terms_for(first, last, email, organisation.get(rid, ""))
    ]
    if values:
        connection.execute(insert(SearchTerm), values)


def _organisations_in_memory(registrations) -> dict[int, str]:
    """The organisation answered by each new registration whose answers and their questions the
    session holds (an order just placed: its answers were written with it, its questions read to
    check them), "" for none. Left out: any it would have to read, which reindex then reads."""
    found = {}
    for registration in registrations:
        if "answers" not in registration.__dict__:
            continue
        session = object_session(registration)
        questions = [session.identity_map.get(identity_key(Question, a.question_id)) if session else None
                     for a in registration.answers]
        if any(q is None for q in questions):
            continue
        found[registration.id] = next((a.value for a, q in zip(registration.answers, questions)
                                       if q.builtin_key == "organisation"), "")
    return found


def reindex_event(event_id: int) -> None:
    """Rebuild an event's terms (after bulk inserts that bypassed the session hook)."""
    ids = set(db.session.scalars(select(Registration.id).where(Registration.event_id == event_id)))
    for chunk in range(0, len(ids), 2000):
        reindex(db.session.connection(), set(sorted(ids)[chunk:chunk + 2000]))


_WATCHED = ("first_name", "last_name", "email")

# Orders are written with Core (registration.services), past the session hook below: their terms
# are written when the rows are, with no terms to delete yet.
ORDER_ROWS_WRITTEN.append(lambda connection, registrations: reindex(connection, set(), new=registrations))


@event.listens_for(Session, "after_flush")
def _follow_registrations(session: Session, flush_context) -> None:
    from sqlalchemy import inspect

    changed: set[int] = set()
    inserted = [obj for obj in session.new if isinstance(obj, Registration) and obj.id is not None]
    for obj in list(session.new) + list(session.dirty):
        if isinstance(obj, Registration):
            state = inspect(obj)
            if obj not in session.new and any(state.attrs[name].history.has_changes() for name in _WATCHED):
                changed.add(obj.id)
        elif isinstance(obj, Answer) and obj.registration_id is not None:
            changed.add(obj.registration_id)
    changed.discard(None)
    changed -= {r.id for r in inserted}
    if changed or inserted:
        reindex(session.connection(), changed, new=inserted)


def purge_event_terms(event_obj, now) -> int:
    """Purger: the words cut from an event's names, emails and organisations go with them."""
    result = db.session.execute(delete(SearchTerm).where(SearchTerm.event_id == event_obj.id),
                                execution_options={"synchronize_session": False})
    return max(result.rowcount or 0, 0)


def purge_person_terms(registration, now) -> int:
    result = db.session.execute(delete(SearchTerm).where(SearchTerm.registration_id == registration.id),
                                execution_options={"synchronize_session": False})
    return max(result.rowcount or 0, 0)
