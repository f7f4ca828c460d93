"""The whole product in Spanish (issue 13): every role crawls every page it can reach with the
language switcher's cookie set to Spanish, and no English of ours may be left on a page.

What counts as "ours": the text the people who run an event did not write. Every string stored
in the demo database (event texts, names, answers, session titles, organisations...) is
content: an English-only event stays English, as its organisers wrote it. Any other text on the
page is interface, and it is English when it is
- exactly an English interface string of the catalogue whose Spanish differs (a label or button
  rendered without gettext, or a lazy string resolved too early), or
- a text with two or more English function words ("the", "your", "with"...) that Spanish does
  not use, or
- a text, or a part of one between separators ("·", ":", ","...), of one or two common English
  interface words only ("Status", "Check in", "Page 1 of 2": UI_WORDS), not in any stored text
  (the words a bare, unwrapped heading leaves, which neither rule above sees).
Elements marked with another language (`lang="en"`, e.g. the switcher's "English") are skipped.
Uses the crawl's demo site (tests/functional/test_site_crawl.py's crawl_app)."""
from __future__ import annotations

import re
from functools import lru_cache
from html.parser import HTMLParser

import pytest
from babel.messages.pofile import read_po

from tests.functional.test_site_crawl import (  # noqa: F401 (crawl_app is the module's fixture)
    ROLES, SKIP, START_PAGES, _login, crawl, crawl_app,
)

pytestmark = pytest.mark.slow

# English words Spanish text does not contain (no "a", "no", "me", "has", "en"...).
ENGLISH_WORDS = frozenset("""the and of to your you is are for with this that not have will been from there their
which what when here were was can cannot these those its our we they them who how please each than only after
before yet into about would should could must any an or at by on in""".split())
# Common English interface words Spanish does not use. A text, or a part of one between
# separators ("Fecha · Status", "Page 1 of 2"), made of one or two of them only is English of
# ours unless a stored text has it as a whole word (a category called "Free", a session
# "Check in and coffee"). Words Spanish shares stay out ("total", "general", "no", "final",
# "color", "error", "panel", "plan", "online", "email", "web", "link", "PDF").
UI_WORDS = frozenset("""status name names date dates time times edit delete remove save cancel back next previous
search filter filters amount price category categories session sessions room rooms track tracks speaker speakers
details settings export download view show hide yes open opens closed close closes paid unpaid free pending confirmed
cancelled canceled waitlist waitlisted waiting report reports dashboard overview message messages subject sent failed
skipped when where start starts end ends capacity title description location venue language languages organisation
organisations organization organizations city cities country countries phone notes note reason method reference
balance refund refunds refunded check checked in out print badge badges add update submit continue login logout log
sign password help home event events team role roles staff organiser organisers organizer organizers attendee
attendees participant participants registration registrations register registered question questions answer answers
comment comments rating ratings responses response average count number type kind draft published archived public
private order orders payment payments receipt receipts invoice ticket tickets code codes discount discounts access
list lists entrance door desk expected arrivals attended walk ins today tomorrow yesterday week weeks month months
year years day days hour hours minute minutes none all new create created updated saved deleted change changes apply
reset clear copy move send preview schedule scheduled queued sending delivered recipient recipients history action
actions user users account profile contact address website photo upload file files image optional required loading
offline synced retry undo undone page of more less first last done review people places place seats
left full sold hold held expired expires approve approved reject rejected decline declined offered claimed removed
attendance interpretation accessibility dietary needs pronouns mode person hybrid recording recordings materials
""".split())
_SEGMENTS = re.compile(r"[·:,;()\[\]|/–—•…!?\"“”«»]+|\s-\s|\.\s|\.$")
URLS_PER_ROLE = 400
# The switcher's links would switch the crawl back to English.
SKIP_ALSO = re.compile(SKIP.pattern + r"|/language/")
# Known English left in areas still being translated: (URL regex, text regex) -> who is at it.
# Reported as an explicit xfail naming them; a finished area has no entries.
STILL_BEING_TRANSLATED: list[tuple[str, str, str]] = []


class VisibleText(HTMLParser):
    """The text nodes a reader sees (and the alt, title, placeholder and aria-label texts), with
    elements in another language than the page's left out."""

    SKIP = {"script", "style", "template", "code", "pre"}
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
    ATTRIBUTES = ("alt", "title", "placeholder", "aria-label")

    def __init__(self, language: str) -> None:
        super().__init__(convert_charrefs=True)
        self.language = language
        self.texts: list[str] = []
        self._stack: list[tuple[str, bool]] = []  # (tag, hidden)

    def _hidden(self) -> bool:
        return bool(self._stack) and self._stack[-1][1]

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        other_language = bool(a.get("lang")) and not a["lang"].startswith(self.language) and tag != "html"
        hidden = self._hidden() or tag in self.SKIP or other_language
        if not hidden:
            for name in self.ATTRIBUTES:
                if a.get(name):
                    self.texts.append(a[name])
            if tag == "input" and a.get("type") in ("submit", "button") and a.get("value"):
                self.texts.append(a["value"])
        if tag not in self.VOID:
            self._stack.append((tag, hidden))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in self.VOID and self._stack and self._stack[-1][0] == tag:
            self._stack.pop()

    def handle_endtag(self, tag):
        for i in range(len(self._stack) - 1, -1, -1):
            if self._stack[i][0] == tag:
                del self._stack[i:]
                break

    def handle_data(self, data):
        if not self._hidden() and data.strip():
            self.texts.append(data)


def _normal(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def english_interface() -> set[str]:
    """The catalogue's English strings that Spanish says otherwise (placeholders dropped)."""
    with open("confapp/translations/es/LC_MESSAGES/messages.po", "rb") as handle:
        catalogue = read_po(handle, locale="es")
    found = set()
    for message in catalogue:
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        strings = [message.string] if isinstance(message.string, str) else list(message.string or ())
        for msgid in ids:
            if msgid and "%(" not in msgid and msgid not in strings and len(msgid) > 1:
                found.add(_normal(msgid))
    return found


@pytest.fixture(scope="module")
def content(crawl_app) -> str:
    """Every text stored in the demo database, one per line, whitespace collapsed."""
    from sqlalchemy import String, Text, select

    from confapp.extensions import db

    values: set[str] = set()
    with crawl_app.app_context():
        for table in db.metadata.sorted_tables:
            columns = [c for c in table.columns if isinstance(c.type, (String, Text))]
            if columns:
                for row in db.session.execute(select(*columns).distinct()):
                    values.update(_normal(v) for v in row if isinstance(v, str) and v.strip())
            json_columns = [c for c in table.columns if c.type.__class__.__name__ == "JSON"]
            if json_columns:
                for row in db.session.execute(select(*json_columns)):
                    for value in row:
                        values.update(_strings_in(value))
        db.session.remove()
    return "\n".join(sorted(values))


def _strings_in(value) -> set[str]:
    if isinstance(value, str):
        return {_normal(value)} if value.strip() else set()
    if isinstance(value, dict):
        return set().union(*(_strings_in(v) for v in value.values())) if value else set()
    if isinstance(value, (list, tuple)):
        return set().union(*(_strings_in(v) for v in value)) if value else set()
    return set()


def _looks_english(text: str, english_interface: set[str]) -> bool:
    words = re.findall(r"[a-z]+", text.lower())
    return text in english_interface or len(set(words) & ENGLISH_WORDS) >= 2


@lru_cache(maxsize=4)
def _stored(content: str) -> tuple[frozenset[str], str, tuple[str, ...]]:
    """(every stored text; the stored prose, texts of four words or more, one per line; the
    stored texts of four characters or more, longest first)."""
    values = frozenset(content.split("\n"))
    pieces = tuple(sorted((v for v in values if len(v) >= 4), key=len, reverse=True))
    return values, "\n".join(v for v in values if len(v.split()) >= 4), pieces


def _stored_as_a_word(segment: str, content: str) -> bool:
    """Whether `segment` is a whole stored text ("Free", a category) or whole words of stored
    prose ("**Open** to everyone"). Same case: a stored status code "confirmed" shown
    capitalised as "Confirmed" is ours; and a short stored label ("Status: confirmed", written
    by the application) does not make the word "Status" content everywhere."""
    values, prose, _ = _stored(content)
    return segment in values or re.search(r"(?<![\w])" + re.escape(segment) + r"(?![\w])", prose) is not None


def _ui_segments(text: str, content: str) -> list[str]:
    found = []
    for segment in _SEGMENTS.split(text):
        segment = segment.strip()
        words = re.findall(r"[^\W\d_]+", segment)
        if 1 <= len(words) <= 2 and all(word.lower() in UI_WORDS for word in words) and not _stored_as_a_word(segment, content):
            found.append(segment)
    return found


def short_english(text: str, content: str) -> list[str]:
    """The parts of `text` that are one or two common English interface words (UI_WORDS) and
    not stored content: the single words the function-word rule cannot see ("Status"). Stored
    texts in it are taken out first ("Respuesta: One, 18 months" holds an answer)."""
    values, _, pieces = _stored(content)
    if text in values or not _ui_segments(text, content):
        return []
    rest = text
    for piece in pieces:
        if piece in rest:
            rest = rest.replace(piece, " · ")
    return _ui_segments(rest, content)


def english_left(html: str, english_interface: set[str], content: str) -> list[str]:
    parser = VisibleText("es")
    parser.feed(html)
    found = []
    pieces = None
    for raw in parser.texts:
        text = _normal(raw)
        if not re.search(r"[A-Za-z]{2}", text):
            continue
        if short_english(text, content):
            found.append(text)
            continue
        if text in content or not _looks_english(text, english_interface):
            continue
        # Our words around their words ("Organizado por <organisation>", "<session>: <event> ·
        # confapp"): what is left once every stored text in it is taken out must not be English.
        if pieces is None:
            pieces = sorted((p for p in content.split("\n") if len(p) >= 4), key=len, reverse=True)
        rest = text
        for piece in pieces:
            if piece in rest:
                rest = rest.replace(piece, " ")
        if _looks_english(_normal(rest), english_interface) or (rest == text and text in english_interface):
            found.append(text)
    return found


@pytest.mark.parametrize("role", list(ROLES))
def test_no_english_of_ours_on_any_spanish_page(crawl_app, role, english_interface, content):
    client = crawl_app.test_client()
    client.set_cookie("confapp_language", "es")
    starts = list(START_PAGES)
    if role == "attendee":
        starts = crawl_app.config["CRAWL_ATTENDEE_STARTS"] + ["/"]
    elif ROLES[role]:
        _login(client, ROLES[role])
    leaks: dict[str, list[str]] = {}

    def inspect(url, html, result):
        if 'lang="es"' not in html[:300]:
            leaks.setdefault(url, []).append("<html lang> is not es")
        for text in english_left(html, english_interface, content):
            leaks.setdefault(url, []).append(text)

    result = crawl(client, starts, limit=URLS_PER_ROLE, inspect=inspect, skip=SKIP_ALSO)
    print(f"{role}: {len(result.visited_html)} Spanish pages checked")
    ours, theirs = [], []
    for url, texts in sorted(leaks.items()):
        for text in dict.fromkeys(texts):
            owner = next((o for u, t, o in STILL_BEING_TRANSLATED if re.search(u, url) and re.search(t, text)), None)
            (theirs if owner else ours).append(f"{url}: {text!r}" + (f" [{owner}]" if owner else ""))
    assert not ours, f"{role}: English left on {len(leaks)} of {len(result.visited_html)} pages:\n" + "\n".join(ours)
    if theirs:
        pytest.xfail(f"{role}: English in areas still being translated:\n" + "\n".join(theirs))


def test_the_detector_tells_interface_english_from_content():
    interface = {"Save changes", "Registrations"}
    stored = "Know Your Rights: a workshop for the community\nAmara Okafor"
    html = ('<html lang="es"><body><h1>Inscripciones</h1><button>Save changes</button><p>Know Your Rights: a workshop '
            'for the community</p><p>Amara Okafor</p><p>Choose the date of your visit</p>'
            '<span lang="en">English</span><script>var x = "the and of"</script><img alt="Photo of the speaker"></body></html>')
    assert english_left(html, interface, stored) == ["Save changes", "Choose the date of your visit", "Photo of the speaker"]
    # Our Spanish around stored English is fine; our English around it is not.
    assert english_left('<p>Organizado por Amara Okafor</p><p>Organised by the staff of Amara Okafor</p>', interface,
                        stored) == ["Organised by the staff of Amara Okafor"]


def test_the_detector_finds_single_english_words_but_not_stored_ones():
    stored = "Free\n**Open** to everyone who works on housing\nconfirmed\nStatus: confirmed\nOne, 18 months"
    html = ('<html lang="es"><body><th>Status</th><th>Estado</th><p>Notes</p><p>Page 1 of 2</p>'
            '<td>21 nov 2026, 10:00 · Attendee</td><span class="badge">Confirmed</span><td>Free</td><p>Open</p>'
            '<p>Gratis</p><p>Respuesta: One, 18 months</p><p>Total</p><p>General</p><p>Amara Okafor</p><button aria-label="Close">×</button></body></html>')
    assert english_left(html, set(), stored) == [
        "Status", "Notes", "Page 1 of 2", "21 nov 2026, 10:00 · Attendee", "Confirmed", "Close"]
    assert short_english("Check in", "") == ["Check in"] and short_english("Registrar entrada", "") == []
