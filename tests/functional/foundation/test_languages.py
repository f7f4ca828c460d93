"""The interface's language: chosen by the switcher on every page (a cookie, and the profile when
logged in), else the browser's Accept-Language, else English; `<html lang>` always says which."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

from confapp.accounts.models import User
from confapp.i18n import LANGUAGE_COOKIE, LANGUAGES
from tests.conftest import TEST_PASSWORD
from tests.factories import make_event, make_user

ROOT = Path(__file__).resolve().parents[3]
CATALOGUES = ROOT / "confapp" / "translations"


def _lang(page) -> str:
    return re.search(r'<html lang="([^"]+)"', page.get_data(as_text=True)).group(1)


def test_english_by_default_and_spanish_for_a_spanish_browser(client):
    page = client.get("/")
    assert _lang(page) == "en" and "Log in" in page.get_data(as_text=True)
    page = client.get("/", headers={"Accept-Language": "es-MX,es;q=0.9,en;q=0.5"})
    text = page.get_data(as_text=True)
    assert _lang(page) == "es" and "Iniciar sesión" in text and "Saltar al contenido principal" in text
    # A language the interface does not speak falls back to English.
    assert _lang(client.get("/", headers={"Accept-Language": "de-DE,de"})) == "en"


def test_the_visitors_switcher_is_links_that_work_without_javascript_and_is_remembered(client):
    page = client.get("/").get_data(as_text=True)
    # Links, not a form: a public page carries no per-visitor CSRF token (shared caching).
    assert 'href="/account/language/es?next=/"' in page and 'csrf_token' not in page
    response = client.get("/account/language/es?next=/account/login")
    assert response.status_code == 302 and response.headers["Location"].endswith("/account/login")
    assert f"{LANGUAGE_COOKIE}=es" in response.headers["Set-Cookie"] and "HttpOnly" in response.headers["Set-Cookie"]
    # The visitor's choice beats the browser's.
    page = client.get("/account/login", headers={"Accept-Language": "en"})
    assert _lang(page) == "es" and '<span aria-current="true" lang="es">Español</span>' in page.get_data(as_text=True)


def test_the_signed_in_switcher_is_a_form_that_works_without_javascript(client, login_as):
    login_as(make_user(email="maria@example.org"))
    page = client.get("/manage/").get_data(as_text=True)
    assert 'action="/account/language"' in page and '<label for="language-switcher">' in page
    response = client.post("/account/language", data={"language": "es", "next": "/manage/"})
    assert response.status_code == 302 and f"{LANGUAGE_COOKIE}=es" in response.headers["Set-Cookie"]
    assert 'value="es" lang="es" selected' in client.get("/manage/").get_data(as_text=True)


def test_the_switcher_only_goes_back_to_this_site(client):
    for target in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        for response in (client.post("/account/language", data={"language": "es", "next": target}),
                         client.get("/account/language/es", query_string={"next": target})):
            assert response.status_code == 302
            assert "evil.example" not in response.headers["Location"]


def test_an_unknown_language_is_refused_with_a_message_and_changes_nothing(client):
    for response in (client.post("/account/language", data={"language": "xx", "next": "/"}, follow_redirects=True),
                     client.get("/account/language/xx?next=/", follow_redirects=True)):
        text = response.get_data(as_text=True)
        assert "Choose one of the languages offered." in text and _lang(response) == "en"
        assert client.get_cookie(LANGUAGE_COOKIE) is None


def test_a_logged_in_users_choice_is_kept_in_their_profile(app, db, client, login_as):
    user = make_user(email="ana@example.org")
    login_as(user)
    client.post("/account/language", data={"language": "es", "next": "/manage/"})
    assert db.session.get(User, user.id).locale == "es"
    # On another device (no cookie), with an English browser, once logged in: Spanish.
    other = app.test_client()
    assert other.post("/account/login", data={"email": user.email, "password": TEST_PASSWORD}).status_code == 302
    page = other.get("/manage/", headers={"Accept-Language": "en"})
    assert _lang(page) == "es" and "Mis eventos" in page.get_data(as_text=True)


def test_every_interface_string_has_a_translation_in_every_language(tmp_path):
    """A string marked for translation but missing (or fuzzy) in a catalogue fails here: run
    `make messages`, translate, and `make translations`."""
    template = tmp_path / "messages.pot"
    subprocess.run([str(Path(sys.executable).parent / "pybabel"), "-q", "extract", "-F", "babel.cfg", "-k", "_l",
                    # Without --ignore-dirs pybabel skips folders named "_..." (templates/_macros).
                    "--ignore-dirs=.* ._ __pycache__",
                    "-o", str(template), "."], cwd=ROOT, check=True)
    with template.open("rb") as handle:
        # A message is its msgid with its msgctxt (pgettext): "Refund" the verb and the noun are two.
        wanted = {(m.context, m.id) for m in read_po(handle) if m.id}
    assert wanted, "no translatable strings found"
    for code in LANGUAGES:
        if code == "en":
            continue
        with (CATALOGUES / code / "LC_MESSAGES" / "messages.po").open("rb") as handle:
            catalogue = read_po(handle)
        translated = {(m.context, m.id) for m in catalogue if m.id and m.string and not m.fuzzy}
        assert sorted(wanted - translated, key=str) == [], f"untranslated in {code}"
        assert (CATALOGUES / code / "LC_MESSAGES" / "messages.mo").exists(), "run `make translations`"


SPANISH = {"Accept-Language": "es"}


def test_the_event_page_and_list_in_spanish_with_spanish_dates(client, db):
    event = make_event(title="Instituto de Derechos Humanos")
    db.session.commit()
    page = client.get(f"/e/{event.slug}/", headers=SPANISH).get_data(as_text=True)
    assert "Inscribirse" in page and "Cuándo" in page and "5–6 de diciembre de 2026" in page
    english = client.get(f"/e/{event.slug}/").get_data(as_text=True)
    assert "Register" in english and "5–6 December 2026" in english
    listing = client.get("/", headers=SPANISH).get_data(as_text=True)
    assert "Próximos" in listing and "5–6 de diciembre de 2026" in listing


def test_day_and_time_formats_follow_the_language(app):
    from datetime import date, datetime, timezone

    from flask_babel import force_locale

    from confapp.templating import format_datetime, format_day

    moment = datetime(2026, 12, 8, 14, 30, tzinfo=timezone.utc)
    with app.test_request_context():
        assert format_datetime(moment, "America/New_York") == "8 Dec 2026, 09:30"
        assert format_day(date(2026, 12, 8)) == "Tuesday 8 December 2026"
        with force_locale("es"):
            assert format_datetime(moment, "America/New_York") == "8 dic 2026, 09:30"
            # Spanish joins day, month and year with "de", as its long date does.
            assert format_day(date(2026, 12, 8)) == "martes 8 de diciembre de 2026"
            assert format_day(date(2026, 12, 8), "%-d %B") == "8 de diciembre"
            # Literal words in a format stay words (quoted for Babel), not pattern letters.
            assert format_datetime(moment, "UTC", "%H:%M on %-d %b") == "14:30 on 8 dic"
