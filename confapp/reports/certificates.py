"""Certificates of attendance: issued to people who were checked in, as a PDF with a
verification URL (an unguessable code) that anyone can open to check it."""
from __future__ import annotations

import secrets
from contextlib import nullcontext
from datetime import datetime

import segno
from flask import render_template
from flask_babel import gettext
from markupsafe import Markup
from sqlalchemy import select

from ..events.content_languages import content_language, tr
from ..audit.services import record
from ..errors import InvalidState
from ..extensions import db
from ..i18n import in_language
from ..registration.models import Registration, RegistrationStatus
from ..templating import format_date_range
from ..urls import external_url
from .integration import checkin_rows_for
from .models import Certificate
from .wording import certificate_paragraphs, wording_for


def attended(registration: Registration) -> bool:
    return registration.status == RegistrationStatus.CONFIRMED and checkin_rows_for(registration)


def certificate_for(registration: Registration) -> Certificate | None:
    return db.session.scalar(select(Certificate).where(Certificate.registration_id == registration.id))


def certificate_by_code(code: str) -> Certificate | None:
    if not code or len(code) > 64:
        return None
    return db.session.scalar(select(Certificate).where(Certificate.code == code))


def issue_certificate(registration: Registration, *, actor, now: datetime) -> Certificate:
    """The person's certificate, issued once (the same one afterwards). Only for people checked
    in at the main entrance. Raises InvalidState otherwise or once their data is purged."""
    existing = certificate_for(registration)
    if existing is not None:
        return existing
    if registration.purged_at is not None or not attended(registration):
        raise InvalidState(gettext("Certificates are issued to people who were checked in at the event."))
    certificate = Certificate(
        event_id=registration.event_id, registration_id=registration.id, code=secrets.token_urlsafe(24)[:32],
        holder_name=registration.full_name, issued_at=now,
    )
    db.session.add(certificate)
    db.session.flush()
    record("report.certificate_issued", actor=actor, event=registration.event, target=certificate, now=now,
           details={"registration_id": registration.id})
    return certificate


def verification_url(certificate: Certificate) -> str:
    return external_url("reports.certificate_verify", code=certificate.code)


def certificate_pdf(certificate: Certificate, language: str | None = None) -> bytes:
    """The certificate in `language` (else the current one), with the organiser's wording in
    that language when they wrote one (reports/wording.py)."""
    from .exports import render_pdf

    with in_language(language) if language else nullcontext():
        html = _certificate_html(certificate)
    return render_pdf(html, landscape=True)


def _certificate_html(certificate: Certificate) -> str:
    event = certificate.event
    registration = db.session.get(Registration, certificate.registration_id) if certificate.registration_id else None
    url = verification_url(certificate)
    qr = Markup(segno.make(url, error="m").svg_inline(scale=3, border=0, dark="#111"))
    body = certificate_paragraphs(
        wording_for(event), event, holder_name=certificate.holder_name,
        online=registration.category.is_online if registration is not None else None, lang=content_language(event))
    return render_template(
        "reports/certificate_print.html", certificate=certificate, event=event, url=url, qr=qr, body=body,
        dates=format_date_range(event.starts_at, event.ends_at, event.timezone),
    )


def issue_all_and_notify(event, *, actor, now: datetime) -> int:
    """Issue a certificate to everyone checked in who has none and mail them a download link
    (their self-service page). Returns how many were mailed. Raises InvalidState once the
    event's personal data is deleted or due for deletion."""
    from ..outreach.event_mail import send_event_email
    from ..registration import links
    from .integration import attended_registrations
    from .services import personal_data_due

    if personal_data_due(event, now):
        raise InvalidState(gettext("This event's personal data is due for deletion: certificates are no longer sent."))

    count = 0
    for registration in attended_registrations(event):
        if registration.purged_at is not None or not registration.email:
            continue
        certificate = issue_certificate(registration, actor=actor, now=now)
        if certificate.sent_at is not None:
            continue
        certificate.sent_at = now
        with in_language(registration.spoken_language):
            send_event_email(event, registration.email,
                             gettext("Your certificate of attendance: %(event)s", event=tr(event, "title")), "reports_certificate",
                             recipient=registration, registration=registration,
                             download_url=external_url("reports.self_certificate_pdf", slug=event.slug,
                                                       token=links.ticket_token(registration)),
                             verify_url=verification_url(certificate))
        count += 1
    record("report.certificates_sent", actor=actor, event=event, details={"recipients": count}, now=now)
    return count
