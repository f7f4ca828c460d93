"""Suppression survives differencing (issue 11, "suppressed counts can be recovered").

Everything a visitor can download about a published report (the HTML page, the CSV, the XLSX and
the PDF's text) is read back as numbers, and an attacker's arithmetic runs on them: every total
against its parts, registered = attended + no-shows, each running total against its steps and
the last against registered and walk-ins, arrivals against attended, places (and organisations)
against registered as if everyone answered, the rating distribution against its average. Single
subtractions are repeated with what they give back, then exact linear algebra runs on whatever is
left. The test fails if any hidden number ("fewer than 5" or "not shown") comes back exactly, in
any output or in all of them put together. True values come from the organisers' version of the
same snapshot.

Runs on the demo's published 2016 report and on a crafted small event with small daily counts,
walk-ins, no-shows, a small category and a skewed rating distribution."""
from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from fractions import Fraction
from html.parser import HTMLParser

import pytest
from pypdf import PdfReader

from confapp.reports import exports, feedback, services
from confapp.reports.presenting import report_view
from confapp.types import utcnow
from tests.factories import make_event, make_user
from tests.reports_data import check_in_known, known_event

HIDDEN = ("fewer than 5", "not shown")
CAPTIONS = {
    "Participants by city": "Cities", "Regions": "Regions", "Countries": "Countries",
    "Organisations named with consent": "Organisations (named with consent)",
    "Kinds of organisation": "Kinds of organisation",
    "Attendance by category": "Attendance by category", "Registrations by category": "Attendance by category",
    "Registrations over time (running total)": "Registrations over time",
    "Arrivals by time of day": "Arrivals by time of day",
}
SECTIONS = set(CAPTIONS.values()) | {"Headline figures", "Feedback"}
PLACES = ("Cities", "Regions", "Countries", "Kinds of organisation", "Organisations (named with consent)")
HEADLINE = ("Registered", "Attended", "No-shows", "Walk-ins", "Feedback responses")
CELL = re.compile(r"fewer than 5|not shown|–|[\d,]+(?:\.\d+)?")


def cell(text):
    text = str(text).strip() if text is not None else ""
    if text in HIDDEN:
        return "hidden"
    if text in ("", "–"):
        return None
    try:
        return Fraction(text.replace(",", ""))
    except ValueError:
        return None


# --- reading each output back: {section: {row label: [cells]}} -------------------------------------

def from_csv(text: str) -> dict:
    out: dict = {}
    for row in csv.reader(io.StringIO(text)):
        if row and row[0] != "section" and row[0] in SECTIONS:
            out.setdefault(row[0], {})[row[1].lstrip("'")] = [cell(v) for v in row[2:]]
    return out


def from_xlsx(data: bytes) -> dict:
    from openpyxl import load_workbook

    out: dict = {}
    for sheet in load_workbook(io.BytesIO(data)):
        section = next((s for s in SECTIONS if s[:31].replace("/", "-") == sheet.title), None)
        if section is None:
            continue
        for row in list(sheet.iter_rows(values_only=True))[1:]:
            out.setdefault(section, {})[str(row[0])] = [cell(v) for v in row[1:]]
    return out


class _Tables(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tables, self.headline, self.text = [], {}, []
        self._cap = self._row = self._cell = self._dt = None
        self._in_headline = False

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append(["", []])
        elif tag == "caption":
            self._cap = []
        elif tag == "tr" and self.tables:
            self._row = []
        elif tag in ("th", "td") and self._row is not None:
            self._cell = []
        elif tag == "dl" and ("class", "headline") in attrs:
            self._in_headline = True
        elif tag in ("dt", "dd") and self._in_headline:
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "caption" and self._cap is not None:
            self.tables[-1][0], self._cap = "".join(self._cap).strip(), None
        elif tag in ("th", "td") and self._row is not None and self._cell is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            if self._row and self.tables:
                self.tables[-1][1].append(self._row)
            self._row = None
        elif tag == "dt" and self._in_headline:
            self._dt, self._cell = "".join(self._cell).strip(), None
        elif tag == "dd" and self._in_headline:
            self.headline[self._dt], self._cell = "".join(self._cell).strip(), None
        elif tag == "dl":
            self._in_headline = False

    def handle_data(self, data):
        self.text.append(data)
        for buf in (self._cap, self._cell):
            if buf is not None:
                buf.append(data)


def _feedback_sentence(text: str) -> dict:
    found = re.search(r"([\d,]+|fewer than 5) responses to the feedback survey(?:; the average overall rating was "
                      r"([\d.]+) out of 5)?", " ".join(text.split()))
    if not found:
        return {}
    return {"Responses": [cell(found.group(1))], "Average overall rating (1–5)": [cell(found.group(2))]}


def from_html(html: str) -> dict:
    parser = _Tables()
    parser.feed(html)
    out: dict = {"Headline figures": {k: [cell(v)] for k, v in parser.headline.items()}}
    for caption, rows in parser.tables:
        section = CAPTIONS.get(caption)
        if section:
            out[section] = {row[0]: [cell(v) for v in row[1:]] for row in rows[1:] if len(row) > 1}
    out["Feedback"] = _feedback_sentence("".join(parser.text))
    return out


def from_pdf_text(text: str, layout: dict) -> dict:
    """The PDF's own numbers, found by the row labels the HTML tables have: after each table's
    caption, the line that starts with the row's label and continues with only cells."""
    lines = [" ".join(line.split()) for line in text.splitlines()]
    out: dict = {"Headline figures": {}}
    start = lines.index("In figures")
    for label in layout["Headline figures"]:
        i = lines.index(label, start)
        out["Headline figures"][label] = [cell(lines[i + 1])]
    for section, rows in layout.items():
        if section in ("Headline figures", "Feedback"):
            continue
        caption = next(c for c, s in CAPTIONS.items() if s == section and c in lines)
        i = len(lines) - 1 - lines[::-1].index(caption)  # the table's caption comes after the chart's
        found = {}
        for label in rows:
            for j in range(i, len(lines)):
                rest = lines[j][len(label):] if lines[j].startswith(label + " ") else None
                if rest is not None and CELL.sub("", rest).strip() == "":
                    found[label] = [cell(v) for v in CELL.findall(rest)]
                    i = j + 1
                    break
        out[section] = found
    out["Feedback"] = _feedback_sentence(text)
    return out


# --- the attacker ---------------------------------------------------------------------------------

def relations(pub: dict) -> list[tuple[list[tuple[Fraction, tuple]], bool]]:
    """(terms, exact): sum of coefficient x cell is zero. Cells are (section, label, column)."""
    h = lambda label: ("Headline figures", label, 0)  # noqa: E731
    rel = [([(1, h("Registered")), (-1, h("Attended")), (-1, h("No-shows"))], True),
           ([(1, h("Feedback responses")), (-1, ("Feedback", "Responses", 0))], True)]
    cats = list(pub.get("Attendance by category", {}))
    for col, total in ((0, "Registered"), (1, "Attended")):
        rel.append(([(1, h(total))] + [(-1, ("Attendance by category", c, col)) for c in cats], True))
    days = list(pub.get("Registrations over time", {}))
    for i, day in enumerate(days):
        terms = [(1, ("Registrations over time", day, 1)), (-1, ("Registrations over time", day, 0))]
        if i:
            terms.append((-1, ("Registrations over time", days[i - 1], 1)))
        rel.append((terms, True))
    if days:
        rel.append(([(1, h("Registered")), (-1, h("Walk-ins")), (-1, ("Registrations over time", days[-1], 1))], True))
    hours = list(pub.get("Arrivals by time of day", {}))
    rel.append(([(1, h("Attended"))] + [(-1, ("Arrivals by time of day", x, 0)) for x in hours], True))
    for section in PLACES:
        rows = list(pub.get(section, {}))
        if rows:
            rel.append(([(1, h("Registered"))] + [(-1, (section, r, 0)) for r in rows], True))
    fb = pub.get("Feedback", {})
    average = (fb.get("Average overall rating (1–5)") or [None])[0]
    rated = [r for r in fb if r.startswith("Rated ")]
    if isinstance(average, Fraction) and rated:
        rel.append(([(int(r.split()[1]) - average, ("Feedback", r, 0)) for r in rated], False))
    return [([(Fraction(c), x) for c, x in terms], exact) for terms, exact in rel]


def value_of(pub: dict, ref: tuple):
    section, label, col = ref
    row = pub.get(section, {}).get(label)
    return row[col] if row is not None and col < len(row) else None


def recover(pub: dict) -> dict[tuple, Fraction]:
    """Every hidden cell the published numbers give back: repeated single subtractions (rounded
    where the relation is the rounded average), then exact elimination on the rest."""
    rel = relations(pub)
    known = {}
    for terms, _ in rel:
        for _, ref in terms:
            v = value_of(pub, ref)
            if isinstance(v, Fraction):
                known[ref] = v
    recovered: dict[tuple, Fraction] = {}
    progress = True
    while progress:
        progress = False
        for terms, exact in rel:
            missing = [(c, ref) for c, ref in terms if ref not in known]
            if len(missing) == 1:
                c, ref = missing[0]
                x = -sum(k * known[r] for k, r in terms if r in known) / c
                known[ref] = recovered[ref] = x if exact else Fraction(round(x))
                progress = True
    unknown = sorted({ref for terms, exact in rel if exact for _, ref in terms if ref not in known})
    index = {ref: i for i, ref in enumerate(unknown)}
    rows = []
    for terms, exact in rel:
        if exact and any(ref in index for _, ref in terms):
            row = [Fraction(0)] * (len(unknown) + 1)
            for c, ref in terms:
                if ref in index:
                    row[index[ref]] += c
                else:
                    row[-1] -= c * known[ref]
            rows.append(row)
    pivot = 0
    for col in range(len(unknown)):
        found = next((i for i in range(pivot, len(rows)) if rows[i][col] != 0), None)
        if found is None:
            continue
        rows[pivot], rows[found] = rows[found], rows[pivot]
        rows[pivot] = [v / rows[pivot][col] for v in rows[pivot]]
        for i in range(len(rows)):
            if i != pivot and rows[i][col] != 0:
                rows[i] = [a - rows[i][col] * b for a, b in zip(rows[i], rows[pivot])]
        pivot += 1
    for row in rows[:pivot]:
        nonzero = [i for i, v in enumerate(row[:-1]) if v != 0]
        if len(nonzero) == 1:
            recovered[unknown[nonzero[0]]] = row[-1]
    return recovered


def truth(private: dict, ref: tuple):
    """The true value behind a public cell, from the organisers' version of the snapshot."""
    section, label, col = ref
    rows = private.get(section, {})
    if section == "Registrations over time":
        first, _, last = label.partition(" – ")
        last = last or first
        days = {d: v for d, v in rows.items() if first <= d <= last}
        return sum(v[0] for v in days.values()) if col == 0 else rows[last][1]
    if section == "Arrivals by time of day":
        first, _, end = label.partition("–")
        return sum(v[0] for h, v in rows.items() if (first <= h < end if end else h == first))
    if label.startswith("Other ") and label.endswith("(under 5 each)"):
        return sum(v[0] for v in rows.values() if v[0] < 5)
    return rows[label][col]


def private_tables(event, report) -> dict:
    view = report_view(event, report, public=False, published=True)
    return {title: {str(r[0]): [cell(v) for v in r[1:]] for r in rows}
            for title, headings, rows in exports.sections(view) if title in SECTIONS}


def published_outputs(client, slug: str) -> dict[str, dict]:
    html = client.get(f"/e/{slug}/report").get_data(as_text=True)
    pdf = client.get(f"/e/{slug}/report.pdf").data
    pdf_text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    outputs = {
        "html": from_html(html),
        "csv": from_csv(client.get(f"/e/{slug}/report.csv").get_data(as_text=True)),
        "xlsx": from_xlsx(client.get(f"/e/{slug}/report.xlsx").data),
    }
    outputs["pdf"] = from_pdf_text(pdf_text, outputs["html"])
    return outputs


def combined(outputs: dict[str, dict]) -> dict:
    """Everything put together: a number from any output, hidden only where all hide it."""
    out: dict = {}
    for pub in outputs.values():
        for section, rows in pub.items():
            for label, cells in rows.items():
                mine = out.setdefault(section, {}).setdefault(label, [None] * len(cells))
                mine.extend([None] * (len(cells) - len(mine)))
                for i, v in enumerate(cells):
                    if mine[i] is None or (mine[i] == "hidden" and isinstance(v, Fraction)):
                        mine[i] = v
    return out


def assert_nothing_hidden_comes_back(outputs: dict[str, dict], private: dict) -> int:
    """Returns how many hidden cells there were (the test must have something to attack)."""
    leaks, hidden_cells = [], set()
    for name, pub in {**outputs, "all outputs": combined(outputs)}.items():
        for ref, value in recover(pub).items():
            if value_of(pub, ref) == "hidden":
                hidden_cells.add(ref)
                if value == truth(private, ref):
                    leaks.append(f"{name}: {ref} = {value}")
        hidden_cells |= {(s, label, i) for s, rows in pub.items() for label, cells in rows.items()
                         for i, v in enumerate(cells) if v == "hidden"}
    # A number hidden in one output must not be printed in another.
    for section, rows in combined(outputs).items():
        for label, cells in rows.items():
            for i, v in enumerate(cells):
                shown = {n for n, pub in outputs.items() if value_of(pub, (section, label, i)) == "hidden"}
                if isinstance(v, Fraction) and shown:
                    leaks.append(f"{(section, label, i)} hidden in {sorted(shown)} but printed elsewhere")
    assert not leaks, "\n".join(leaks)
    return len(hidden_cells)


def test_the_demo_report_gives_back_no_suppressed_number(client, db):
    from confapp.demo import load_demo
    from confapp.events.queries import event_by_slug
    from confapp.reports.services import report_for

    load_demo(utcnow())
    db.session.commit()
    event = event_by_slug("phrge-institute-2016")
    outputs = published_outputs(client, event.slug)
    assert outputs["pdf"]["Registrations over time"] == outputs["html"]["Registrations over time"]
    assert assert_nothing_hidden_comes_back(outputs, private_tables(event, report_for(event))) > 0


@pytest.fixture()
def small_event(db):
    organiser = make_user()
    start = utcnow() - timedelta(days=5)
    event = make_event(organiser=organiser, starts_at=start, ends_at=start + timedelta(hours=30),
                       title="Small Differencing Convening")
    builder = known_event(event)
    # A small category and registrations one or two a day, most of them from Boston.
    for i in range(4):
        builder.order([{"name": f"Sam{i} Small", "email": f"sam{i}@example.org", "city": "Boston", "country": "US"}],
                      category="Student", at=start - timedelta(days=9 - i))
    check_in_known(builder, organiser)
    from confapp.checkin import services as checkin

    door = checkin.main_list(event, actor=organiser, now=event.starts_at)
    sams = [r for r in builder.registrations if r.email.startswith("sam") and r.email != "sam3@example.org"]
    for i, sam in enumerate(sams):
        checkin.redeem(sam.ticket_code, checkin_list=door, station="Door 1", actor=organiser,
                       now=event.starts_at + timedelta(hours=3, minutes=i))
    arrived = [r for r in builder.registrations if r.email in ("alice@example.org", "carol@example.org",
                                                               "dan@example.org", "grace@example.org",
                                                               "hana@example.org", "w1@example.org")
               and r.status == "confirmed"]
    for registration, rating in zip(arrived, (5, 5, 5, 4, 4, 3)):
        feedback.submit_feedback(registration, overall=rating, session_ratings={}, comment="", named=False,
                                 now=event.ends_at)
    report = services.start_report(event, actor=organiser)
    services.publish_report(report, actor=organiser, now=utcnow())
    db.session.commit()
    return event, report


def test_a_small_event_gives_back_no_suppressed_number(client, small_event):
    event, report = small_event
    outputs = published_outputs(client, event.slug)
    private = private_tables(event, report)
    hidden = assert_nothing_hidden_comes_back(outputs, private)
    assert hidden >= 10
    # The crafted event has what the attack needs: small walk-ins and no-shows beside printed
    # totals, a small category, a rating given fewer than five times.
    csv_cells = outputs["csv"]
    assert csv_cells["Headline figures"]["Walk-ins"] == ["hidden"]
    assert csv_cells["Headline figures"]["No-shows"] == ["hidden"]
    assert csv_cells["Headline figures"]["Registered"] == [private["Headline figures"]["Registered"][0]]
    assert "hidden" in [v[0] for v in csv_cells["Feedback"].values()]


def test_the_attack_finds_what_suppression_without_complements_gave_away(client, small_event, monkeypatch):
    """The attack is real: with only the small counts hidden (the old rule: days one by one, no
    complements) it gets them back."""
    from confapp.reports import suppression

    monkeypatch.setattr(suppression, "complementary_suppression", lambda raw, public: set())
    monkeypatch.setattr(suppression, "coarse_over_time",
                        lambda rows: [dict(r, **{"from": r["date"], "to": r["date"]}) for r in rows])
    event, report = small_event
    outputs = published_outputs(client, event.slug)
    with pytest.raises(AssertionError, match="Walk-ins"):
        assert_nothing_hidden_comes_back(outputs, private_tables(event, report))


def test_counts_of_places_are_shown_and_people_per_place_are_suppressed(client, small_event):
    """"Countries: fewer than 5" counted countries, not people: the number of countries and cities
    is printed; how many people came from a small country is not."""
    event, _ = small_event
    outputs = published_outputs(client, event.slug)
    for name in ("html", "csv", "pdf"):
        headline = outputs[name]["Headline figures"]
        assert headline["Countries"] == [2] and headline["Cities"] == [3], name
        countries = outputs[name]["Countries"]
        assert "Canada" not in countries and countries["Other countries (under 5 each)"] == ["hidden"], name
    assert "Countries</dt><dd>2</dd>" in client.get(f"/e/{event.slug}/report").get_data(as_text=True)
