"""The language switcher's target: remember the choice (a cookie; the profile too when logged in)
and go back to the page it was made on."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import flash, redirect, request, url_for
from flask_babel import gettext
from flask_login import current_user

from ..extensions import db
from ..i18n import LANGUAGES, remember_language, supported
from ..urls import local_path
from . import services
from .blueprint import bp
from .forms import LanguageForm


@bp.post("/language")
def choose_language():
    """The signed-in switcher (a form with its CSRF token): the profile remembers the choice."""
    form = LanguageForm()
    form.language.choices = list(LANGUAGES.items())
    back = _back(form.next.data)
    if not form.validate_on_submit():
        flash(gettext("Choose one of the languages offered."), "error")
        return redirect(back)
    language = supported(form.language.data)
    if current_user.is_authenticated:
        services.set_preferred_language(current_user, language)  # the form offered only these
        db.session.commit()
    return remember_language(redirect(back), language)


@bp.get("/language/<code>")
def choose_language_link(code: str):
    """The visitors' switcher: a plain link that sets the language cookie and nothing else (no
    database write, so a GET may do it; being sent someone else's link changes only the language)."""
    back = _back(request.args.get("next"))
    language = supported(code)
    if language is None or language != code:
        flash(gettext("Choose one of the languages offered."), "error")
        return redirect(back)
    return remember_language(redirect(back), language)


def _back(next_path: str | None) -> str:
    return local_path(next_path) or local_path(request.referrer and _path_of(request.referrer)) or url_for("events.public_list")


def _path_of(url: str) -> str:
    """The path and query of a same-site Referer (the switcher's fallback when `next` is missing)."""
    parts = urlsplit(url)
    if parts.netloc and parts.netloc != request.host:
        return ""
    return parts.path + (f"?{parts.query}" if parts.query else "")
