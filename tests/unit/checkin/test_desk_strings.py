"""The desk's scripts and the server's list of their messages stay in step: every t("...") /
tn("...", "...") in static/js/checkin.js and checkin-dashboard.js is in confapp.checkin.desk_strings
(so it is extracted, translated and served), nothing is listed that no script uses, and no English
sentence is left in a script outside t()/tn()."""
from __future__ import annotations

import re
from pathlib import Path

from confapp.checkin.desk_strings import PLURAL, SINGULAR, desk_strings

ROOT = Path(__file__).resolve().parents[3]
SCRIPTS = [ROOT / "static" / "js" / "checkin.js", ROOT / "static" / "js" / "checkin-dashboard.js"]
QUOTED = r'"((?:[^"\\]|\\.)*)"'
T_CALL = re.compile(r"\bt\(\s*" + QUOTED)
TN_CALL = re.compile(r"\btn\(\s*" + QUOTED + r"\s*,\s*" + QUOTED)
# Words that make a quoted literal a piece of an English sentence shown to people.
SENTENCE_WORDS = re.compile(r"(^|\s)(by|at|of|to|the|and|or|waiting|scans?|people|person|matches|conflicts?|checked|offline)(\s|$)")


def _source(path: Path) -> str:
    """The script without comments (// to the end of a line; the scripts have no URLs in strings)."""
    return re.sub(r"(^|\s)//[^\n]*", r"\1", path.read_text(encoding="utf-8"))


def _calls():
    singular, plural = set(), set()
    for path in SCRIPTS:
        source = _source(path)
        singular |= {m.group(1) for m in T_CALL.finditer(source)}
        plural |= {(m.group(1), m.group(2)) for m in TN_CALL.finditer(source)}
    return singular, plural


def test_every_message_the_scripts_use_is_served_and_nothing_else():
    singular, plural = _calls()
    assert singular and plural
    assert sorted(singular - set(SINGULAR)) == [], "add these to confapp/checkin/desk_strings.py SINGULAR"
    assert sorted(plural - set(PLURAL)) == [], "add these to confapp/checkin/desk_strings.py PLURAL"
    assert sorted(set(SINGULAR) - singular) == [] and sorted(set(PLURAL) - plural) == [], "no script uses these"
    assert len(SINGULAR) == len(set(SINGULAR))


def _english_literals(source: str) -> list[str]:
    without_calls = TN_CALL.sub("", T_CALL.sub("", source))
    found = []
    for match in re.finditer(QUOTED, without_calls):
        text = match.group(1)
        if not re.search(r"[A-Za-z]{2,}", text):
            continue
        sentence = (text[0].isupper() and " " in text) or text.rstrip().endswith((".", ":")) or (" " in text and SENTENCE_WORDS.search(text))
        if sentence:
            found.append(text)
    return found


def test_no_english_sentence_is_left_outside_t_and_tn():
    for path in SCRIPTS:
        assert _english_literals(_source(path)) == [], path.name


def test_the_check_itself_finds_a_hard_coded_message():
    assert _english_literals('showMessage("info", "Back online", t("Waiting scans were sent."));') == ["Back online"]
    assert _english_literals('text = queue.length + " scans waiting.";') == [" scans waiting."]
    assert _english_literals('el("button", "button button--small", t("Print badge"));') == []


def test_outside_a_request_the_strings_are_english_with_plural_forms():
    strings = desk_strings()
    assert strings["Online. All scans sent."] == "Online. All scans sent."
    assert strings["%(num)d match"] == {"one": "%(num)d match", "other": "%(num)d matches"}
