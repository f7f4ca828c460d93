"""The check-in desk's JavaScript messages in the request's language, served from the page.

desk.html and dashboard.html embed `desk_strings()` as a JSON block (`<script type="application/json"
id="desk-strings">`, data, never run: the CSP is unaffected) and static/js/checkin.js and
checkin-dashboard.js look their English texts up in it with t("...") / tn("...", "...", n),
falling back to the English. No JavaScript i18n library: the catalogue stays the one gettext
catalogue. tests/unit/checkin/test_desk_strings.py keeps the scripts and this list in step.

Placeholders are %(name)s / %(num)d, filled in by the script. Plurals give the forms for n = 1
("one") and n = 2 ("other"); a language with more plural forms would add its Intl.PluralRules
categories here.
"""
from __future__ import annotations

from flask_babel import get_translations


def N_(text: str) -> str:
    """Marks a msgid for pybabel extract; translated when the page is built."""
    return text


class _Plural:
    """`plural.ungettext(singular, plural)` marks a plural msgid pair for pybabel (its keyword)."""

    @staticmethod
    def ungettext(singular: str, plural: str) -> tuple[str, str]:
        return singular, plural


_plural = _Plural()

SINGULAR: tuple[str, ...] = (
    # Network and offline copy
    N_("Online. All scans sent."),
    N_("This link no longer works"),
    N_("Ask the organisers for a new link."),
    N_("this device"),
    N_("Back online"),
    N_("Waiting scans were sent."),
    N_("Refused after going back online"),
    N_("Conflict after going back online"),
    N_("Offline copy removed"),
    N_("This device no longer holds the attendee list."),
    # The result card
    N_("Pronouns"),
    N_("Category"),
    N_("Organisation"),
    N_("Accessibility needs"),
    N_("Interpretation"),
    N_("Language"),
    N_("Print badge"),
    # Paid now at the door
    N_("Amount received (%(currency)s)"),
    N_("How"),
    N_("Cash"),
    N_("Card terminal"),
    N_("Other"),
    N_("Paid now at the door: check in"),
    N_("Payment not recorded"),
    N_("Please try again."),
    N_("The server cannot be reached. Take the payment again when the network is back."),
    # Scans, decided by the server or offline on this device
    N_("Not checked in"),
    N_("The server refused the scan."),
    N_("Not valid: registration cancelled"),
    N_("Not paid"),
    N_("Pending approval"),
    N_("Not admitted through this list"),
    N_("Not admitted"),
    N_("Unknown code"),
    N_("This code is not in this device's offline copy. Search by name, or send the person to the help desk."),
    N_("Decided offline from this device's copy. Send the person to the help desk."),
    N_("Already checked in"),
    N_("Already checked in at %(time)s"),
    N_("Already checked in at %(time)s."),
    N_("Already checked in at %(time)s by %(by)s."),
    N_("Already checked in at %(time)s at %(station)s."),
    N_("Already checked in at %(time)s by %(by)s at %(station)s."),
    N_("Session full"),
    N_("All %(capacity)s places are taken and this person did not sign up (decided offline from this device's count). "
       "Suggest another session."),
    N_("Checked in (offline)"),
    N_("%(name)s is checked in on this device; the scan will be sent when the network returns."),
    N_("Check in"),
    N_("Choose the person from the matches below."),
    N_("%(name)s: %(checked_in)s of %(expected)s"),
    # Undo
    N_("Undone"),
    N_("The waiting check-in of %(name)s was removed."),
    N_("Could not undo"),
    N_("Could not undo while offline"),
    N_("Try again when the network is back."),
    # Walk-ins
    N_("Walk-ins need the network: registering checks capacity on the server."),
    N_("The walk-in could not be registered."),
    N_("The server cannot be reached. Try again in a moment."),
    # Camera
    N_("This browser cannot read QR codes with the camera. Use a USB or Bluetooth scanner, or type the code or the "
       "person's name."),
    N_("Stop camera"),
    N_("Scan with camera"),
    N_("Camera on: hold the ticket's QR code in view."),
    N_("The camera could not be opened (permission refused or no camera). Use a scanner or type the code."),
    N_("Camera off."),
    # Live counts (checkin-dashboard.js)
    N_("Updated at %(time)s."),
    N_("Cannot reach the server; showing the last counts."),
)

PLURAL: tuple[tuple[str, str], ...] = (
    _plural.ungettext("Offline: checking against this device's copy. %(num)d scan waiting.",
                      "Offline: checking against this device's copy. %(num)d scans waiting."),
    _plural.ungettext("Online. %(num)d scan waiting to be sent.", "Online. %(num)d scans waiting to be sent."),
    _plural.ungettext("%(num)d conflict to review.", "%(num)d conflicts to review."),
    _plural.ungettext("Offline copy on this device: %(num)d person, as of %(time)s.",
                      "Offline copy on this device: %(num)d people, as of %(time)s."),
    _plural.ungettext("%(num)d match", "%(num)d matches"),
    _plural.ungettext("%(num)d waiting scan(s) were refused by the server. %(title)s: %(message)s",
                      "%(num)d waiting scan(s) were refused by the server. %(title)s: %(message)s"),
    _plural.ungettext("%(num)d waiting scan(s) were already checked in on another device. %(message)s",
                      "%(num)d waiting scan(s) were already checked in on another device. %(message)s"),
)


def desk_strings() -> dict[str, str | dict[str, str]]:
    """{English msgid: its translation}, and for plurals {singular msgid: {"one": ..., "other": ...}},
    placeholders left for the script to fill."""
    translations = get_translations()
    strings: dict[str, str | dict[str, str]] = {text: translations.ugettext(text) for text in SINGULAR}
    for singular, plural in PLURAL:
        strings[singular] = {"one": translations.ungettext(singular, plural, 1),
                             "other": translations.ungettext(singular, plural, 2)}
    return strings
