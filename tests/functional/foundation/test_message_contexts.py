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



def test_webhook_counts_and_states_and_the_review_step_agree_in_spanish(app):
    from confapp.webhooks.catalogue import state_labels

    with app.test_request_context(), force_locale("es"):
        assert pgettext("number of webhook deliveries", "Delivered") == "Entregadas"
        assert pgettext("number of webhook deliveries", "Failed") == "Fallidas"
        assert state_labels()["delivered"] == "Entregada" and state_labels()["failed"] == "Fallida"
        assert pgettext("registration step", "Review") == "Revisión" and gettext("Review") == "Revisar"
    with app.test_request_context(), force_locale("en"):
        assert state_labels()["delivered"] == "Delivered" and pgettext("registration step", "Review") == "Review"
