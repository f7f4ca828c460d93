"""Forms with a copy of some fields per content language (the event's languages besides its
default): `<field>__<lang>`, optional, with the original's length limit and a `lang` attribute,
shown in one fieldset per language (templates/_macros/translations.html), so the whole form is
plain HTML that works by keyboard and without JavaScript."""
from __future__ import annotations

from functools import lru_cache

from flask_babel import LazyString, gettext, ngettext
from wtforms.validators import Length, Optional

from .content_languages import language_name, set_translations, translation


def _label(text, lang: str) -> LazyString:
    return LazyString(lambda: gettext("%(field)s (%(language)s)", field=str(text), language=language_name(lang)))


def _copy(unbound, lang: str):
    kwargs = dict(unbound.kwargs)
    label = kwargs.pop("label", None) or (unbound.args[0] if unbound.args else "")
    validators = [Optional(), *(v for v in kwargs.pop("validators", None) or () if isinstance(v, Length))]
    render_kw = {**(kwargs.pop("render_kw", None) or {}), "lang": lang}
    kwargs.pop("description", None)
    kwargs.pop("default", None)
    return unbound.field_class(_label(label, lang), validators=validators, render_kw=render_kw, **kwargs)


class TranslationsMixin:
    translated_fields: tuple[str, ...] = ()
    translation_languages: tuple[str, ...] = ()
    # Fields typed one item per line and stored as a list (a question's options).
    line_fields: tuple[str, ...] = ()

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for name in self.line_fields:
            count = len(_lines(self[name].data))
            for lang in self.translation_languages:
                copy = self[f"{name}__{lang}"]
                if copy.data and len(_lines(copy.data)) != count:
                    copy.errors = [*copy.errors, ngettext(
                        "Give one line, as above.", "Give one line for each of the %(num)d lines above, in the same order.",
                        count)]
                    valid = False
        return valid

    def translation_groups(self) -> list[tuple[str, list]]:
        """[(language, [(original field, its copy in that language)])] in the event's order."""
        return [(lang, [(self[name], self[f"{name}__{lang}"]) for name in self.translated_fields])
                for lang in self.translation_languages]

    def translation_texts(self) -> dict[str, dict[str, object]]:
        def value(name: str, lang: str):
            data = self[f"{name}__{lang}"].data or ""
            return _lines(data) if name in self.line_fields else data.strip()

        return {lang: {name: value(name, lang) for name in self.translated_fields} for lang in self.translation_languages}

    def load_translations(self, obj) -> None:
        for lang in self.translation_languages:
            for name in self.translated_fields:
                text = translation(obj, name, lang)
                self[f"{name}__{lang}"].data = "\n".join(text) if isinstance(text, list) else text

    def save_translations(self, obj) -> bool:
        return set_translations(obj, self.translation_texts(), self.translated_fields)


def _lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


@lru_cache(maxsize=256)
def _translated_class(form_cls: type, languages: tuple[str, ...], fields: tuple[str, ...],
                      line_fields: tuple[str, ...]) -> type:
    attrs = {"translated_fields": fields, "translation_languages": languages, "line_fields": line_fields}
    for lang in languages:
        for name in fields:
            attrs[f"{name}__{lang}"] = _copy(getattr(form_cls, name), lang)
    return type(form_cls.__name__, (TranslationsMixin, form_cls), attrs)


def translated_form(form_cls: type, languages, fields: tuple[str, ...], line_fields: tuple[str, ...] = ()) -> type:
    """`form_cls` with an optional copy of each of `fields` for each of `languages`."""
    return _translated_class(form_cls, tuple(languages), tuple(fields), tuple(line_fields))
