"""One English word, two meanings, two Spanish words (issue 13): messages with a context
(pgettext, stored as msgctxt) are translated apart from the same word without one."""
from flask_babel import force_locale, gettext, pgettext

from confapp.reports.exports import _headline_labels


def test_the_verb_and_the_noun_differ_in_spanish(app):
    with app.test_request_context(), force_locale("es"):
        assert pgettext("verb", "Refund") == "Reembolsar" and gettext("Refund") == "Reembolso"
        badge = app.jinja_env.get_template("_macros/layout.html").module.status_badge
        assert ">Enviado</span>" in str(badge("sent")) and ">Omitido</span>" in str(badge("skipped"))
        assert pgettext("number of emails", "Sent") == "Enviados" and pgettext("number of emails", "Failed") == "Fallidos"
        labels = _headline_labels()
        assert labels["cancelled"] == "Canceladas" and labels["pending"] == "Pendientes"
    with app.test_request_context(), force_locale("en"):
        assert pgettext("verb", "Refund") == "Refund" and pgettext("number of emails", "Sent") == "Sent"

