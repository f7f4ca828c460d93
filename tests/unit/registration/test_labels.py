"""Registration's words for statuses, payment states and history notes: English by default, the
interface's language otherwise (issue 13). Notes are stored in English; only the ones the code
writes are translated when shown, anything an organiser typed stays as typed."""
from flask_babel import force_locale

from confapp.registration.labels import history_note
from confapp.registration.models import PaymentState, RegistrationStatus


def test_labels_and_notes_are_english_by_default(app):
    with app.test_request_context():
        assert RegistrationStatus.AWAITING_PAYMENT.label == "Awaiting payment"
        assert RegistrationStatus.AWAITING_PAYMENT.english_label == "Awaiting payment"
        assert PaymentState.PARTIALLY_REFUNDED.label == "Partially refunded"
        for note in ("Confirmed", "The payment hold ran out", "Refund 10.00 USD", "Refund 10.00 USD failed",
                     "By the organisers; refund 5.00", "Speaker swap", ""):
            assert history_note(note) == note


def test_labels_and_known_notes_in_spanish(app):
    with app.test_request_context(), force_locale("es"):
        assert RegistrationStatus.CONFIRMED.label == "Confirmada"
        assert RegistrationStatus.CONFIRMED.english_label == "Confirmed"  # what the history stores
        assert PaymentState.UNPAID.label == "Sin pagar"
        assert history_note("Confirmed") == "Confirmada"
        assert history_note("The payment hold ran out") == "Se agotó el tiempo de reserva para el pago"
        assert history_note("Refund 10.00 USD") == "Reembolso de 10.00 USD"
        assert history_note("Refund 10.00 USD failed") == "Falló el reembolso de 10.00 USD"
        assert history_note("By the organisers; refund 5.00") == "Por la organización; reembolso de 5.00"
        assert history_note("Speaker swap") == "Speaker swap"


def test_a_late_card_payment_given_back_is_noted_in_the_readers_language(app):
    with app.test_request_context(), force_locale("es"):
        assert history_note("Received 10.00 USD by card; refunded (sold out)") == \
            "Se recibieron 10.00 USD con tarjeta; reembolsado (no quedaban plazas)"
        assert history_note("Received 10.00 USD by card; refunded (duplicate)") == \
            "Se recibieron 10.00 USD con tarjeta; reembolsado (ya estaba pagado)"
    with app.test_request_context():
        assert history_note("Received 10.00 USD by card; refunded (order closed)") == \
            "Received 10.00 USD by card; refunded (the order was closed)"
