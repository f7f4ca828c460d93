"""Name badges as PDF: one A6 badge per page, or sheets of 8 on A4 or US Letter.

WeasyPrint renders HTML with the QR code inline as SVG (segno). Names in any script render
through Noto (fonts-noto-core: Latin, Arabic, Devanagari and more) with WenQuanYi Micro Hei
for Chinese, Japanese and Korean.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass

import segno
from flask import render_template
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..audit.services import record
from ..events.content_languages import tr
from ..extensions import db
from ..registration.models import Registration, RegistrationStatus
from .models import BadgePrint
from .queries import desk_answers, printed_registration_ids
from .services import actor_label


class Layout(enum.StrEnum):
    A6 = "a6"
    A4 = "a4"
    LETTER = "letter"

    @property
    def label(self) -> str:
        return {"a6": "A6, one badge per page", "a4": "A4, 8 badges per sheet", "letter": "US Letter, 8 badges per sheet"}[self.value]

    @property
    def per_page(self) -> int:
        return 1 if self is Layout.A6 else 8


# Page size (CSS) and page size in PDF points, for the tests.
PAGE = {Layout.A6: ("105mm 148mm", (297.6, 419.5)), Layout.A4: ("210mm 297mm", (595.3, 841.9)),
        Layout.LETTER: ("8.5in 11in", (612.0, 792.0))}


@dataclass
class Badge:
    registration_id: int
    name: str
    pronouns: str
    organisation: str
    city: str
    category: str
    qr_svg: str


def qr_svg(code: str) -> str:
    return segno.make(code, error="m").svg_inline(scale=4, border=2, omitsize=True)


def badges_for(event, *, category_id: int | None = None, not_yet_printed: bool = False,
               registration_ids: list[int] | None = None) -> list[Badge]:
    """Confirmed registrations of `event` as badges, by name; three queries."""
    query = (
        select(Registration).options(joinedload(Registration.category))
        .where(Registration.event_id == event.id, Registration.status == RegistrationStatus.CONFIRMED)
        .order_by(Registration.last_name, Registration.first_name, Registration.id)
    )
    if category_id:
        query = query.where(Registration.category_id == category_id)
    if registration_ids is not None:
        query = query.where(Registration.id.in_(registration_ids))
    registrations = list(db.session.scalars(query))
    if not_yet_printed:
        printed = printed_registration_ids(event.id)
        registrations = [r for r in registrations if r.id not in printed]
    answers = desk_answers([r.id for r in registrations])
    return [
        Badge(r.id, r.full_name, answers[r.id].get("pronouns", ""), answers[r.id].get("organisation", ""),
              answers[r.id].get("city", ""), tr(r.category, "name", event=event), qr_svg(r.ticket_code))
        for r in registrations
    ]


def render_pdf(event, badges: list[Badge], layout: Layout) -> bytes:
    from weasyprint import HTML

    pages = [badges[i:i + layout.per_page] for i in range(0, len(badges), layout.per_page)] or [[]]
    html = render_template("checkin/badges.html", event=event, pages=pages, layout=layout, page_size=PAGE[layout][0])
    return HTML(string=html).write_pdf()


def record_prints(event, badges: list[Badge], layout: Layout, *, actor, now) -> None:
    """Log each printed badge, so a later batch can pick those not yet printed."""
    label = actor_label(actor)[:200]
    user_id = None if hasattr(actor, "link") else getattr(actor, "id", None)
    db.session.add_all([
        BadgePrint(event_id=event.id, registration_id=b.registration_id, layout=layout.value, printed_at=now,
                   actor_label=label, user_id=user_id)
        for b in badges
    ])
    db.session.flush()
    record("checkin.badges_print", actor=actor, event=event, details={"count": len(badges), "layout": layout.value}, now=now)
