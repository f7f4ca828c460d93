"""Forms with a copy of some fields per content language (the event's languages besides its
default): `<field>__<lang>`, optional, with the original's length limit and a `lang` attribute,
shown in one fieldset per language (templates/_macros/translations.html), so the whole form is
plain HTML that works by keyboard and without JavaScript."""
from __future__ import annotations

from functools import lru_cache

from flask_babel import LazyString, gettext
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

    def translation_groups(self) -> list[tuple[str, list]]:
        """[(language, [(original field, its copy in that language)])] in the event's order."""
        return [(lang, [(self[name], self[f"{name}__{lang}"]) for name in self.translated_fields])
                for lang in self.translation_languages]

    def translation_texts(self) -> dict[str, dict[str, str]]:
        return {lang: {name: (self[f"{name}__{lang}"].data or "").strip() for name in self.translated_fields}
                for lang in self.translation_languages}

    def load_translations(self, obj) -> None:
        for lang in self.translation_languages:
            for name in self.translated_fields:
                self[f"{name}__{lang}"].data = translation(obj, name, lang)

    def save_translations(self, obj) -> bool:
        return set_translations(obj, self.translation_texts(), self.translated_fields)


@lru_cache(maxsize=256)
def _translated_class(form_cls: type, languages: tuple[str, ...], fields: tuple[str, ...]) -> type:
    attrs = {"translated_fields": fields, "translation_languages": languages}
    for lang in languages:
        for name in fields:
            attrs[f"{name}__{lang}"] = _copy(getattr(form_cls, name), lang)
    return type(form_cls.__name__, (TranslationsMixin, form_cls), attrs)


def translated_form(form_cls: type, languages, fields: tuple[str, ...]) -> type:
    """`form_cls` with an optional copy of each of `fields` for each of `languages`."""
    return _translated_class(form_cls, tuple(languages), tuple(fields))
