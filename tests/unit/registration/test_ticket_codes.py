"""Ticket codes are read by scanners, typed by people and opened in spreadsheets."""
from confapp.registration import common

FORMULA_STARTS = ("-", "=", "+", "@")


def test_generated_ticket_codes_never_start_like_a_spreadsheet_formula():
    codes = [common.new_ticket_code() for _ in range(3000)]  # about 47 would start with "-" before
    assert not [c for c in codes if c.startswith(FORMULA_STARTS + ("_",))]
    assert len(set(codes)) == len(codes) and {len(c) for c in codes} == {20}


def test_a_code_drawn_with_a_leading_dash_is_drawn_again(monkeypatch):
    draws = iter(["-AbCdEfGhIjKlMnOpQrS", "_AbCdEfGhIjKlMnOpQrS", "xAbCdEfGhIjKlMnOpQ-S"])
    monkeypatch.setattr(common.secrets, "token_urlsafe", lambda n: next(draws))
    assert common.new_ticket_code() == "xAbCdEfGhIjKlMnOpQ-S"
