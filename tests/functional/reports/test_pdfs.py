"""Report and certificate PDFs with non-Latin names: the text is there (pypdf), the Noto fonts
are embedded, and pdftoppm images are kept in tests/artifacts for a person to look at."""
import io
import subprocess
from datetime import timedelta

from pypdf import PdfReader

from confapp.registration import links
from confapp.reports import certificates, services
from confapp.reports.exports import to_pdf
from confapp.reports.presenting import report_view
from confapp.types import utcnow
from tests.factories import make_event, make_user
from tests.reports_data import Builder, check_in_known, known_event, program_known

NAMES = ["Алиса Иванова", "Ελένη Παππά", "محمد الأحمد", "सीता शर्मा"]


def fonts_of(pdf: bytes) -> set[str]:
    reader = PdfReader(io.BytesIO(pdf))
    fonts = set()
    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            fonts.add(str(font.get_object()["/BaseFont"]))
    return fonts


def to_png(pdf: bytes, artifacts_dir, stem: str) -> list:
    path = artifacts_dir / f"{stem}.pdf"
    path.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(path), str(artifacts_dir / stem)], check=True)
    return sorted(artifacts_dir.glob(f"{stem}*.png"))


def test_certificates_with_non_latin_names_render(db, app, artifacts_dir):
    organiser = make_user()
    start = utcnow() - timedelta(days=2)
    event = make_event(organiser=organiser, starts_at=start, ends_at=start + timedelta(hours=30),
                       title="Институт прав человека · Human Rights Institute")
    builder = Builder(event)
    for i, name in enumerate(NAMES):
        builder.order([{"name": name, "email": f"nl{i}@example.org", "city": "Київ", "consent": True}])
    check_in_known_names(builder, organiser)
    all_fonts = set()
    with app.test_request_context():
        for i, registration in enumerate(builder.registrations):
            certificate = certificates.issue_certificate(registration, actor=None, now=utcnow())
            pdf = certificates.certificate_pdf(certificate)
            all_fonts |= fonts_of(pdf)
            pngs = to_png(pdf, artifacts_dir, f"certificate-{i}")
            assert pngs and pngs[0].stat().st_size > 5000
            text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
            assert certificate.code in text.replace("\n", "")
            if i < 2:  # Cyrillic and Greek extract exactly; Arabic and Devanagari are shaped
                assert registration.full_name in text
    assert any("Arabic" in f for f in all_fonts), all_fonts
    assert any("Devanagari" in f for f in all_fonts), all_fonts


def check_in_known_names(builder, actor):
    from confapp.checkin import services as checkin

    door = checkin.main_list(builder.event, actor=actor, now=builder.event.starts_at)
    for registration in builder.registrations:
        checkin.redeem(registration.ticket_code, checkin_list=door, station="Door", actor=actor, now=builder.event.starts_at)


def test_report_pdf_renders_non_latin_places_and_organisations(db, app, artifacts_dir):
    organiser = make_user()
    start = utcnow() - timedelta(days=2)
    event = make_event(organiser=organiser, starts_at=start, ends_at=start + timedelta(hours=30))
    builder = known_event(event)
    for i in range(6):
        builder.order([{"name": f"Учасник {i}", "email": f"u{i}@example.org", "city": "Київ",
                        "organisation": "Ελληνική Ένωση για τα Δικαιώματα του Ανθρώπου", "consent": True, "country": "UA"}])
    check_in_known(builder, organiser)
    program_known(builder, organiser)
    report = services.start_report(event, actor=organiser)
    report.outcomes_md = "1. Right to housing\n2. Права людини"
    services.publish_report(report, actor=organiser, now=utcnow())
    with app.test_request_context():
        pdf = to_pdf(report_view(event, report, public=True, published=True))
    pngs = to_png(pdf, artifacts_dir, "report-public")
    assert len(pngs) >= 2
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "Київ" in text and "Ελληνική Ένωση" in text and "Права людини" in text
    assert "Chicago" not in text and "Учасник" not in text
