"""Recipient segments: a JSON tree of conditions combined with AND / OR / NOT, compiled to
one SQL query over the event's people.

The people of an event are its registrations (any status), its waitlist (waiting or
offered), its speakers and its staff (event roles). Each condition holds for a person (an
address) when any of their rows satisfies it; AND / OR / NOT combine those sets of people,
NOT being the complement within the event's people. The result has one row per address
(lower-cased): a person registered and also speaking gets one message, and the row with a
registration is preferred so that merge fields have the most to say.

Tree shapes:
    {"all": true}                              everybody (default)
    {"and": [c, ...]}  {"or": [c, ...]}  {"not": c}
    {"status": ["confirmed", "pending_approval", "awaiting_payment", "cancelled", "waitlisted", ...]}
    {"category": [category_id, ...]}
    {"payment": ["paid", "unpaid", "waived", "not_required", "refunded", "partially_refunded"]}
    {"checked_in": true}   {"no_show": true}   (no-show: confirmed and not checked in)
    {"attended_online": true}                  joined a session (or the event) online
    {"session": [program_session_id, ...]}     signed up for (or starred, for open sessions)
    {"answer": {"question": question_id, "value": "Spanish"}}
    {"language": ["es", ...]}                  the language the person reads (confapp.i18n codes)
    {"speakers": true}     {"staff": true}
"""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, false, func, literal, not_, null, or_, select, true, union_all
from sqlalchemy.sql import Select

from ..accounts.models import EventRole, User
from ..checkin.models import CheckIn
from ..errors import ValidationFailed
from ..extensions import db
from ..i18n import DEFAULT_LANGUAGE, LANGUAGES
from ..online.models import OnlineAttendance
from ..program.models import SessionSignup, Speaker
from ..registration.models import (
    Answer,
    Order,
    PaymentState,
    Question,
    Registration,
    RegistrationStatus,
    WaitlistEntry,
    WaitlistStatus,
)

WAITLISTED = "waitlisted"
_STATUS_LABELS = {
    "awaiting_payment": _l("Awaiting payment"), "pending_approval": _l("Pending approval"),
    "confirmed": _l("Confirmed"), "cancelled": _l("Cancelled"), "expired": _l("Expired"), "rejected": _l("Rejected"),
}
# Labels are lazy: they are shown in the language of the page (or the mail) that reads them.
STATUS_CHOICES = [(s.value, _STATUS_LABELS.get(s.value, s.label)) for s in RegistrationStatus] + [(WAITLISTED, _l("Waitlisted"))]
PAYMENT_CHOICES = [
    ("paid", _l("Paid")), ("unpaid", _l("Unpaid")), ("waived", _l("Waived")), ("not_required", _l("Free")),
    ("partially_refunded", _l("Partially refunded")), ("refunded", _l("Refunded")),
]
MAX_DEPTH = 8


@dataclass
class Recipient:
    address: str
    first_name: str
    last_name: str
    registration_id: int | None
    source: str
    language: str | None = None  # the language they read (None: unknown, a speaker)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


def _people(event_id: int):
    """The union of every person connected to the event, as one subquery."""
    registrations = (
        select(
            func.lower(Registration.email).label("address"),
            Registration.first_name.label("first_name"),
            Registration.last_name.label("last_name"),
            Registration.id.label("registration_id"),
            literal("registration").label("source"),
            Registration.status.label("status"),
            Registration.category_id.label("category_id"),
            Order.payment_state.label("payment_state"),
            # Their own choice on the ticket page, else the order's; orders from before languages: English.
            func.coalesce(Registration.language, Order.language, DEFAULT_LANGUAGE).label("language"),
            literal(0).label("priority"),
        )
        .join(Order, Order.id == Registration.order_id)
        .where(Registration.event_id == event_id, Registration.email != "", Registration.purged_at.is_(None))
    )
    waitlist = select(
        func.lower(WaitlistEntry.email), WaitlistEntry.name, literal(""), null(), literal("waitlist"),
        literal(WAITLISTED), WaitlistEntry.category_id, null(),
        func.coalesce(WaitlistEntry.language, DEFAULT_LANGUAGE), literal(1),
    ).where(
        WaitlistEntry.event_id == event_id,
        WaitlistEntry.email != "",
        WaitlistEntry.status.in_([WaitlistStatus.WAITING, WaitlistStatus.OFFERED]),
    )
    staff = (
        select(func.lower(User.email), User.name, literal(""), null(), literal("staff"), null(), null(), null(),
               func.coalesce(User.locale, DEFAULT_LANGUAGE), literal(3))
        .join(EventRole, EventRole.user_id == User.id)
        .where(EventRole.event_id == event_id)
    )
    speakers = (
        select(func.lower(Speaker.email), Speaker.name, literal(""), null(), literal("speaker"), null(), null(),
               null(), null(), literal(2))  # a speaker's language is not known: no language condition holds
        .where(Speaker.event_id == event_id, Speaker.email != "")
    )
    return union_all(registrations, waitlist, staff, speakers).cte("people")


class _Compiler:
    def __init__(self, event_id: int, people):
        self.event_id = event_id
        self.people = people
        self.outer = people.c
        self.p = people.c

    def compile(self, node, depth: int = 0):
        if depth > MAX_DEPTH:
            raise ValidationFailed({"segment": gettext("The segment is nested too deeply.")})
        if not isinstance(node, dict) or len(node) != 1:
            raise ValidationFailed({"segment": gettext("Each condition must have exactly one kind.")})
        (kind, value), = node.items()
        if kind in ("and", "or"):
            if not isinstance(value, list) or not value:
                raise ValidationFailed({"segment": gettext("'%(kind)s' needs a list of conditions.", kind=kind)})
            parts = [self.compile(child, depth + 1) for child in value]
            return and_(*parts) if kind == "and" else or_(*parts)
        if kind == "not":
            return not_(self.compile(value, depth + 1))
        method = getattr(self, f"leaf_{kind}", None)
        if method is None:
            raise ValidationFailed({"segment": gettext("Unknown condition '%(kind)s'.", kind=kind)})
        if kind == "all":
            return method(value)
        # Conditions hold for a person (an address), not for one of their rows: a speaker who
        # also registered is "confirmed" even on the row that came from the speaker list.
        rows = self.people.alias()
        self.p = rows.c
        condition = method(value)
        self.p = self.outer
        return self.outer.address.in_(select(rows.c.address).where(condition))

    # Every leaf is written to be TRUE or FALSE, never NULL, so that NOT is a clean complement.
    def _registration_in(self, subquery):
        return and_(self.p.registration_id.is_not(None), self.p.registration_id.in_(subquery))

    def leaf_all(self, value):
        return true() if value else false()

    def leaf_status(self, values):
        values = _list_of(values, "status", {v for v, _ in STATUS_CHOICES})
        conditions = []
        registration_statuses = [v for v in values if v != WAITLISTED]
        if registration_statuses:
            conditions.append(and_(self.p.source == "registration", self.p.status.in_(registration_statuses)))
        if WAITLISTED in values:
            conditions.append(self.p.source == "waitlist")
        return or_(*conditions)

    def leaf_category(self, values):
        ids = _ids(values, "category")
        return and_(self.p.category_id.is_not(None), self.p.category_id.in_(ids))

    def leaf_payment(self, values):
        values = _list_of(values, "payment", {v for v, _ in PAYMENT_CHOICES})
        return and_(self.p.payment_state.is_not(None), self.p.payment_state.in_([PaymentState(v).value for v in values]))

    def _checked_in_ids(self):
        return select(CheckIn.registration_id).where(CheckIn.event_id == self.event_id, CheckIn.reverted_at.is_(None))

    def leaf_checked_in(self, value):
        condition = self._registration_in(self._checked_in_ids())
        return condition if value else not_(condition)

    def leaf_attended_online(self, value):
        condition = self._registration_in(
            select(OnlineAttendance.registration_id).where(OnlineAttendance.event_id == self.event_id))
        return condition if value else not_(condition)

    def leaf_no_show(self, value):
        condition = and_(
            self.p.source == "registration",
            self.p.status == RegistrationStatus.CONFIRMED.value,
            not_(self._registration_in(self._checked_in_ids())),
        )
        return condition if value else not_(condition)

    def leaf_session(self, values):
        ids = _ids(values, "session")
        return self._registration_in(select(SessionSignup.registration_id).where(SessionSignup.session_id.in_(ids)))

    def leaf_answer(self, value):
        if not isinstance(value, dict) or "question" not in value:
            raise ValidationFailed({"segment": gettext("An answer condition needs a question.")})
        question_id = _ids([value["question"]], "answer")[0]
        wanted = str(value.get("value", "")).strip().lower()
        stored = func.lower(Answer.value)
        if wanted:
            # Multiple choice answers join the chosen options with newlines.
            match = or_(stored == wanted, stored.like(f"{_escape(wanted)}\n%", escape="\\"),
                        stored.like(f"%\n{_escape(wanted)}", escape="\\"),
                        stored.like(f"%\n{_escape(wanted)}\n%", escape="\\"))
        else:
            match = Answer.value != ""  # answered at all
        subquery = (
            select(Answer.registration_id)
            .join(Question, Question.id == Answer.question_id)
            .where(Answer.question_id == question_id, Question.event_id == self.event_id, match)
        )
        return self._registration_in(subquery)

    def leaf_language(self, values):
        values = _list_of(values, "language", set(LANGUAGES))
        return and_(self.p.language.is_not(None), self.p.language.in_(values))

    def leaf_speakers(self, value):
        condition = self.p.address.in_(
            select(func.lower(Speaker.email)).where(Speaker.event_id == self.event_id, Speaker.email != "")
        )
        return condition if value else not_(condition)

    def leaf_staff(self, value):
        condition = self.p.address.in_(
            select(func.lower(User.email)).join(EventRole, EventRole.user_id == User.id)
            .where(EventRole.event_id == self.event_id)
        )
        return condition if value else not_(condition)


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


# What a condition chooses, for its error messages ("Choose a valid category.").
_WHAT = {"status": _l("status"), "category": _l("category"), "payment": _l("payment"), "session": _l("session"),
         "answer": _l("answer"), "language": _l("language")}


def _list_of(values, name: str, allowed: set[str]) -> list[str]:
    if isinstance(values, str):
        values = [values]
    if not isinstance(values, list) or not values or any(v not in allowed for v in values):
        raise ValidationFailed({"segment": gettext("Choose at least one valid %(what)s.", what=_WHAT.get(name, name))})
    return values


def _ids(values, name: str) -> list[int]:
    if isinstance(values, (int, str)):
        values = [values]
    try:
        ids = [int(v) for v in values]
    except (TypeError, ValueError):
        raise ValidationFailed({"segment": gettext("Choose a valid %(what)s.", what=_WHAT.get(name, name))}) from None
    if not ids:
        raise ValidationFailed({"segment": gettext("Choose at least one %(what)s.", what=_WHAT.get(name, name))})
    return ids


def recipients_query(event_id: int, segment: dict | None) -> Select:
    """One SELECT returning (address, first_name, last_name, registration_id, source, language), one row per address."""
    people = _people(event_id)
    condition = _Compiler(event_id, people).compile(segment or {"all": True})
    p = people.c
    ranked = (
        select(
            p.address, p.first_name, p.last_name, p.registration_id, p.source, p.language,
            func.row_number().over(
                partition_by=p.address,
                order_by=(p.priority, case((p.status == RegistrationStatus.CONFIRMED.value, 0), else_=1),
                          p.registration_id),
            ).label("rank"),
        )
        .where(condition)
        .subquery("ranked")
    )
    r = ranked.c
    return select(r.address, r.first_name, r.last_name, r.registration_id, r.source, r.language).where(r.rank == 1)


def validate_segment(event_id: int, segment: dict | None) -> None:
    """Raises ValidationFailed({"segment": ...}) for a malformed tree."""
    _Compiler(event_id, _people(event_id)).compile(segment or {"all": True})


def resolve(event_id: int, segment: dict | None) -> list[Recipient]:
    query = recipients_query(event_id, segment).order_by("address")
    return [Recipient(*row) for row in db.session.execute(query)]


def count_and_sample(event_id: int, segment: dict | None, sample: int = 5) -> tuple[int, list[str]]:
    """The live count and a few names, in two queries whatever the size of the event."""
    query = recipients_query(event_id, segment).subquery("recipients")
    total = db.session.scalar(select(func.count()).select_from(query)) or 0
    rows = db.session.execute(
        select(query.c.first_name, query.c.last_name).order_by(query.c.first_name, query.c.last_name).limit(sample)
    )
    return total, [f"{first} {last}".strip() for first, last in rows]


def language_counts(event_id: int, segment: dict | None) -> dict[str | None, int]:
    """{language the person reads (None: unknown): recipients}, in one grouped query."""
    query = recipients_query(event_id, segment).subquery("recipients")
    return dict(db.session.execute(select(query.c.language, func.count()).group_by(query.c.language)).all())
