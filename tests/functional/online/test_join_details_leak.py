"""The leak test (issue 15): the meeting URL and the dial-in access code never appear on a public
page, a public calendar feed, a public or integration API answer, an export, a page of someone
not entitled to them, an email to someone not entitled (their confirmation and reminder), a PDF
(public report, the organiser's report and badges, a non-entitled attendee's certificate: their
text extracted and their streams decompressed), or in the server's log, while online attendees
use their links during the test."""
from __future__ import annotations

import io
import logging
import re
import zlib
from datetime import timedelta

from pypdf import PdfReader

from confapp.online.access import join_token
from confapp.registration.links import ticket_token
from tests.factories import make_registration

from .conftest import ACCESS_CODE, MEETING_URL

SECRETS = (MEETING_URL, MEETING_URL.split("?")[0], ACCESS_CODE, "q8ZsecretX")
DOWNLOAD_HINTS = ("export", ".csv", ".json", ".ics", ".xlsx", "download", "calendar", "feed")


def _urls(app, values, *, keep):
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or not set(rule.arguments) <= set(values) or not keep(rule.rule):
            continue
        url = rule.rule
        for name in rule.arguments:
            url = url.replace(f"<{name}>", str(values[name])).replace(f"<int:{name}>", str(values[name]))
        urls.append(url)
    return sorted(set(urls))


def pdf_text(body: bytes) -> str:
    """What a PDF says and holds: each page's extracted text (pypdf), and every stream decompressed
    (link annotations, metadata, text drawn in pieces), so a secret split by the layout or kept
    compressed is found too."""
    reader = PdfReader(io.BytesIO(body))
    parts = [page.extract_text() or "" for page in reader.pages]
    for raw in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", body, re.S):
        try:
            parts.append(zlib.decompress(raw).decode("latin-1"))
        except zlib.error:
            parts.append(raw.decode("latin-1"))
    parts.append(str(reader.metadata or ""))
    return "\n".join(parts)


def _assert_pdf_clean(body: bytes, url: str) -> None:
    text = pdf_text(body)
    squeezed = re.sub(r"\s+", "", text)
    for secret in SECRETS:
        assert secret not in text and re.sub(r"\s+", "", secret) not in squeezed, f"{secret!r} leaked in {url}"


PDFS: list[str] = []


def _assert_clean(response, url):
    assert response.status_code < 500, url
    body = response.get_data()
    for secret in SECRETS:
        assert secret.encode() not in body, f"{secret!r} leaked on {url}"
        assert secret not in response.headers.get("Location", ""), url
    if response.mimetype == "application/pdf" and response.status_code == 200:
        _assert_pdf_clean(body, url)
        PDFS.append(url)


def test_the_pdf_search_finds_a_secret_where_it_is(app):
    from confapp.reports.exports import render_pdf

    with app.test_request_context():
        body = render_pdf(f"<p>Dial in: <a href='{MEETING_URL}'>join</a></p><p>Code {ACCESS_CODE}</p>")
    assert ACCESS_CODE.encode() not in body  # compressed: a plain byte search would miss it
    text = pdf_text(body)
    assert ACCESS_CODE in text and MEETING_URL in text


def _make_it_a_series(db, hybrid):
    """The hybrid convening as the template of a weekly webcast series: two editions created
    (copies with the same join details), a past one with public follow-up links, and someone
    registered for the whole series."""
    from datetime import date

    from confapp.events.services import create_series
    from confapp.online import follow_up, series
    from confapp.online.models import LinksVisibility
    from confapp.registration.services import AttendeeData
    from tests.factories import make_admin
    from tests.support.clock import TEST_NOW

    group = create_series("Leak-test town halls", actor=make_admin())
    hybrid.event.series_id = group.id
    db.session.flush()
    follow_up.save_links(hybrid.event, follow_up.LinksData(recording_url="https://video.example.org/town-hall",
                                                           materials="", visibility=LinksVisibility.PUBLIC),
                         actor=hybrid.organiser)
    rule = series.save_rule(group, series.RuleData(
        template_event_id=hybrid.event.id, frequency="weekly", weekday=3, ordinal=None, at_time="19:00",
        timezone="America/New_York", duration_minutes=60, starts_on=date(2026, 11, 26)), actor=hybrid.organiser, now=TEST_NOW)
    editions = series.create_editions(rule, actor=hybrid.organiser, now=TEST_NOW, ahead=2, send_email=False)
    series.subscribe(rule, AttendeeData("Series", "Fan", "series@example.org"), hybrid.online.name, now=TEST_NOW,
                     send_email=False)
    db.session.commit()
    return group, editions


def test_meeting_url_and_access_code_never_leak(app, client, hybrid, db, login_as, caplog, mail):
    from confapp.api import tokens
    from confapp.api.models import Scope
    from tests.support.clock import TEST_NOW

    caplog.set_level(logging.DEBUG)
    online = make_registration(hybrid.event, hybrid.online, send_email=False, email="online@example.org")
    in_person = make_registration(hybrid.event, hybrid.in_person, email="hall@example.org")  # its confirmation is mailed
    from confapp.program import attendance

    for registration in (online, in_person):  # both have the session in their personal agenda feed
        attendance.star_session(hybrid.soon, registration)
    # The in-person attendee was at the door and has a certificate (a PDF of their own).
    from confapp.checkin import services as checkin
    from confapp.reports import certificates

    door = checkin.main_list(hybrid.event, actor=hybrid.organiser, now=hybrid.event.starts_at)
    checkin.redeem(in_person.ticket_code, checkin_list=door, station="Door", actor=hybrid.organiser,
                   now=hybrid.event.starts_at)
    certificates.issue_certificate(in_person, actor=None, now=hybrid.event.starts_at)
    PDFS.clear()
    # The search finds the secrets where they belong (the entitled attendee's own ticket page).
    assert ACCESS_CODE.encode() in client.get(f"/e/{hybrid.event.slug}/ticket/{ticket_token(online)}").get_data()
    # The entitled attendee joins (their own answer carries the meeting URL: that is the point).
    assert client.post(f"/j/{join_token(online, hybrid.soon.id, generation=0)}").status_code == 200
    _, secret = tokens.create_token(hybrid.event, name="Partner CRM", scopes=[s.value for s in Scope], expires_at=None,
                                    actor=hybrid.organiser, now=TEST_NOW)
    from confapp.reports import services as reports

    reports.publish_report(reports.start_report(hybrid.event, actor=hybrid.organiser), actor=hybrid.organiser,
                           now=hybrid.event.starts_at + timedelta(minutes=1))
    db.session.commit()
    # A reminder to everyone, sent now (after the first session's reveal): the online attendee's
    # carries their join details, the in-person attendee's must not.
    from tests.functional.online.test_join_details_in_reminders import send_reminder

    reminded = send_reminder(db, hybrid, mail, 3)
    assert ACCESS_CODE in reminded["online@example.org"].text
    group, editions = _make_it_a_series(db, hybrid)
    slug = hybrid.event.slug
    values = {"slug": slug, "uid": hybrid.soon.uid, "session_id": hybrid.soon.id, "registration_id": in_person.id,
              "series_slug": group.slug}
    checked = 0
    # The public series page lists the editions (each a copy with the same join details) and
    # asks for the whole-series registration; it must be a real page here, not a 404.
    series_page = client.get(f"/series/{group.slug}")
    assert series_page.status_code == 200 and all(f"/e/{e.slug}/" in series_page.text for e in editions)
    # Every public page of an edition the rule created, too.
    edition_urls = _urls(app, dict(values, slug=editions[0].slug),
                         keep=lambda rule: rule.startswith("/e/<slug>") and "<token>" not in rule)
    assert f"/e/{editions[0].slug}/agenda.ics" in edition_urls and len(edition_urls) >= 10
    for url in edition_urls:
        _assert_clean(client.get(url), url)
        checked += 1

    # Everything anyone can open without an account (event pages, agenda, calendar feeds, public reports, ...).
    public = _urls(app, values, keep=lambda rule: not rule.startswith(("/manage", "/api/", "/checkin/", "/account/")))
    for url in public:
        _assert_clean(client.get(url), url)
        checked += 1
    # The public calendar feeds are among them (the event's, the session's, the speakers'), and the
    # series page (a series has no calendar feed of its own).
    assert {f"/e/{slug}/agenda.ics", f"/e/{slug}/agenda/sessions/{hybrid.soon.uid}.ics", f"/series/{group.slug}"} <= set(public)
    assert not [u for u in public if u.startswith("/series/") and u != f"/series/{group.slug}"]
    # The search finds the personal link where it belongs: the online attendee's own feed.
    assert b"CONFERENCE" in client.get(f"/e/{slug}/my-agenda/{ticket_token(online)}.ics").get_data()
    # The personal pages of an attendee with an in-person place (ticket, agenda, calendar feeds):
    # not entitled to the stream.
    personal = dict(values, token=ticket_token(in_person))
    for url in _urls(app, personal, keep=lambda rule: rule.startswith("/e/<slug>/") and "<token>" in rule):
        _assert_clean(client.get(url), url)
        checked += 1
    # The integration API, with a token holding every scope.
    headers = {"Authorization": f"Bearer {secret}"}
    for url in _urls(app, values, keep=lambda rule: rule.startswith("/api/")):
        _assert_clean(client.get(url, headers=headers), url)
        checked += 1
    # The organiser's exports and downloads (what goes to partners), not the online pages themselves.
    login_as(hybrid.organiser)
    for url in _urls(app, values, keep=lambda rule: rule.startswith("/manage/") and "/online/" not in rule
                     and any(hint in rule or rule.endswith(".pdf") for hint in DOWNLOAD_HINTS)):
        _assert_clean(client.get(url), url)
        checked += 1
    for layout in ("a4", "a6"):  # the badges (a POST: a download, not a page)
        url = f"/manage/{slug}/checkin/badges.pdf"
        _assert_clean(client.post(url, data={"layout": layout}), f"{url} ({layout})")
    assert checked >= 40
    # The PDFs were read, not skipped: the public report, the in-person certificate, the
    # organiser's full report and both badge layouts.
    assert {f"/e/{slug}/report.pdf", f"/e/{slug}/ticket/{personal['token']}/certificate.pdf",
            f"/manage/{slug}/report/full.pdf"} <= set(PDFS), PDFS
    assert len([u for u in PDFS if "badges.pdf" in u]) == 2
    # Mail to someone not entitled (the in-person attendee's confirmation) and the log of the whole test.
    assert mail.to("hall@example.org"), "the in-person attendee's confirmation and reminder were expected"
    for received in mail.messages:
        mine = "online@example.org" in received.envelope_to
        for secret in (s for s in SECRETS if not (mine and s == ACCESS_CODE)):  # the code is theirs to have
            assert secret not in received.message.as_string()
    for secret in SECRETS:
        assert secret not in caplog.text
