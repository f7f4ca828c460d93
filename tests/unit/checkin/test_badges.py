"""Badge PDFs: A6 singles and sheets of 8 on A4 and US Letter; long and non-Latin names render."""
import io
import subprocess

import pytest
from pypdf import PdfReader

from confapp.checkin import badges
from confapp.checkin.badges import Layout
from tests.factories import make_event, make_user
from tests.support.checkin import attendee, category

NAMES = [
    ("Maria-Guadalupe Alejandrina", "Fernández de la Cruz-Santamaría"),  # long Latin name
    ("ليلى", "عبد الرحمن"),  # Arabic
    ("王", "秀英"),  # Chinese
    ("प्रिया", "शर्मा"),  # Devanagari
    ("Amara", "Okafor"), ("Tomás", "Ñúñez"), ("Jane", "Doe"), ("Kwame", "Mensah"), ("Ana", "Silva"),
]


@pytest.fixture
def event_with_people(db):
    event = make_event(title="PHRGE Institute")
    speakers = category(event, "Speaker")
    general = category(event, "General")
    for i, (first, last) in enumerate(NAMES):
        attendee(event, first_name=first, last_name=last, cat=speakers if i < 2 else general,
                 answers={"pronouns": "they/them", "organisation": "Human Rights Cities Alliance", "city": "Jackson"})
    return event, speakers


def _pages(pdf: bytes) -> list[tuple[float, float]]:
    return [(round(float(p.mediabox.width), 1), round(float(p.mediabox.height), 1)) for p in PdfReader(io.BytesIO(pdf)).pages]


@pytest.mark.parametrize("layout, pages", [(Layout.A6, 9), (Layout.A4, 2), (Layout.LETTER, 2)])
def test_badge_layouts_have_the_right_page_count_and_size(app, event_with_people, layout, pages, artifacts_dir):
    event, _ = event_with_people
    with app.test_request_context():
        pdf = badges.render_pdf(event, badges.badges_for(event), layout)
    path = artifacts_dir / f"badges-{layout.value}.pdf"
    path.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "2", str(path), str(artifacts_dir / f"badges-{layout.value}")], check=True)
    sizes = _pages(pdf)
    expected = badges.PAGE[layout][1]
    assert len(sizes) == pages
    assert all(abs(w - expected[0]) < 1 and abs(h - expected[1]) < 1 for w, h in sizes), sizes


def test_non_latin_names_are_drawn_with_real_glyphs(app, event_with_people):
    """Every name's text comes back out of the PDF (no missing-glyph boxes), with fonts embedded."""
    event, _ = event_with_people
    with app.test_request_context():
        pdf = badges.render_pdf(event, badges.badges_for(event), Layout.A6)
    reader = PdfReader(io.BytesIO(pdf))
    text = "\n".join(page.extract_text() for page in reader.pages)
    # Devanagari's shaped conjuncts do not always map back to the typed letters, so check a simple word.
    for word in ("Fernández", "秀英", "ليلى عبد الرحمن", "प्रिया"):
        assert word in text, word
    fonts = set()
    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            fonts.add(str(font.get_object()["/BaseFont"]))
    assert any("Noto" in f for f in fonts) and any("WenQuanYi" in f or "WQY" in f.upper() for f in fonts), fonts
    assert any("Arabic" in f for f in fonts) and any("Devanagari" in f for f in fonts), fonts


def test_batches_by_category_and_not_yet_printed(app, event_with_people, now):
    event, speakers = event_with_people
    staff = make_user()
    with app.test_request_context():
        only_speakers = badges.badges_for(event, category_id=speakers.id)
        assert len(only_speakers) == 2
        badges.record_prints(event, only_speakers, Layout.A6, actor=staff, now=now)
        assert len(badges.badges_for(event, not_yet_printed=True)) == len(NAMES) - 2
