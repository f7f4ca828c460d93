"""The interface's language: Flask-Babel's gettext catalogues (confapp/translations/<code>/) and
the choice of language for each request.

The language of a request is, in this order: the one a logged-in user chose (their profile,
`User.locale`), the one a visitor chose (the `confapp_language` cookie, set by the language
switcher on every page, which works without JavaScript), the best match of the browser's
Accept-Language, the default language of the event the page is about, and otherwise English. Adding a language is a catalogue
(`pybabel init -i confapp/translations/messages.pot -d confapp/translations -l <code>`) and a line in
LANGUAGES; `make` compiles the catalogues.
"""
from __future__ import annotations

from flask import Flask, g, has_request_context, request
from flask_babel import Babel, get_locale, refresh
from flask_login import current_user

# Code -> the language's own name, as the switcher shows it.
LANGUAGES: dict[str, str] = {"en": "English", "es": "Español"}
DEFAULT_LANGUAGE = "en"
LANGUAGE_COOKIE = "confapp_language"
LANGUAGE_COOKIE_MAX_AGE = 365 * 24 * 3600

babel = Babel()


def supported(code: str | None) -> str | None:
    """The language code if the interface speaks it (any case, region ignored: es-MX -> es), else None."""
    if not code:
        return None
    base = code.replace("_", "-").split("-")[0].strip().lower()
    return base if base in LANGUAGES else None


def language_name(code: str | None, locale: str | None = None) -> str:
    """A language's name in the interface's language (or `locale`'s): "Spanish"; in Spanish
    "español". None or unknown codes name the default language. The switcher shows LANGUAGES'
    own names instead ("Español"), for people who cannot read the current one."""
    from babel import Locale

    code = supported(code) or DEFAULT_LANGUAGE
    try:
        return Locale.parse(code).get_display_name(locale or current_language()) or LANGUAGES[code]
    except (ValueError, LookupError):
        return LANGUAGES[code]


def in_language(code: str | None):
    """Render inside a participant's language (the one they registered in or chose), whoever
    sends the mail and from wherever: a request in another language, a webhook, a periodic job."""
    from flask_babel import force_locale

    return force_locale(supported(code) or DEFAULT_LANGUAGE)


def request_language() -> str:
    """The language of this request (see the module's docstring); English outside requests."""
    if not has_request_context():
        return DEFAULT_LANGUAGE
    if current_user and current_user.is_authenticated:
        chosen = supported(getattr(current_user, "locale", None))
        if chosen:
            return chosen
    chosen = supported(request.cookies.get(LANGUAGE_COOKIE))
    if chosen:
        return chosen
    # Last, the language of the event the page is about (set by the view once it has the event,
    # confapp/events/content_languages.use_event_language).
    return (request.accept_languages.best_match(list(LANGUAGES)) or supported(g.get("event_default_language"))
            or DEFAULT_LANGUAGE)


def _forget_page_event() -> None:
    """The page's event (content_languages.use_event_language) is the request's: `g` outlives
    it where one app context serves several requests, and a later page must not take the last
    one's event (detached from its session by then) for its own."""
    g.pop("content_event", None)
    g.pop("event_default_language", None)


def current_language() -> str:
    locale = get_locale()
    return locale.language if locale is not None else DEFAULT_LANGUAGE


def init_i18n(app: Flask) -> None:
    babel.init_app(app, locale_selector=request_language, default_locale=DEFAULT_LANGUAGE)
    # Flask-Babel keeps the chosen locale on `g`, which lives as long as the app context; where
    # one app context serves several requests (tests, emails rendered in a loop) each request
    # chooses again.
    app.before_request(refresh)
    app.before_request(_forget_page_event)
    app.jinja_env.globals["languages"] = LANGUAGES
    app.jinja_env.globals["current_language"] = current_language


def remember_language(response, language: str):
    """Set the visitor's language cookie on `response` (the switcher, the ticket page's choice)."""
    from flask import current_app

    response.set_cookie(LANGUAGE_COOKIE, language, max_age=LANGUAGE_COOKIE_MAX_AGE, samesite="Lax", httponly=True,
                        secure=current_app.config.get("SESSION_COOKIE_SECURE", False))
    return response


def known_words(text: str, exact: dict, patterns: list) -> str | None:
    """`text` in the active language when it is one of the English sentences some code writes (a
    library's validation message, a history note): `exact` maps whole sentences to lazy strings;
    `patterns` pairs a regex with a lazy string taking the regex's named groups. None: not known."""
    known = exact.get(text)
    if known is not None:
        return str(known)
    for pattern, words in patterns:
        match = pattern.match(text)
        if match:
            return str(words) % match.groupdict()
    return None
