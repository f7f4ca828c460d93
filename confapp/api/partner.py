"""Partner tokens (scope `registrations:public`): a partner site sells places as a member of the
public would on the registration form, through the same service (registration.place_order).

The token is made by an organiser, and works only while its creator may still manage the event's
registrations (the API checks that with the creator's `TokenActor`), but the services see a
`PublicTokenActor`: not signed in, no role. So every public rule applies exactly as on the form
(quoting.check_choices and quote_order decide it by `is_manager(actor, event)`): the registration
window, the categories' sale windows, hidden categories only with an access code, the per-order
limit, the payment options the event offers (never "nothing to pay" for a priced place), required
answers and fee waivers; capacity and one registration per email as for everyone.

A partner token reads back only the orders it placed (`ApiTokenOrder`), never anyone else's.
"""
from __future__ import annotations

from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..errors import ValidationFailed
from ..extensions import db
from ..registration.models import PaymentMethod
from .models import ApiToken, ApiTokenOrder

# The body's payment_method as the public form's (None: the card when money is due, as the form's default).
PUBLIC_METHODS = {None: None, "card": PaymentMethod.CARD, "invoice": PaymentMethod.INVOICE,
                  "at_door": PaymentMethod.AT_DOOR, "free": PaymentMethod.NONE}


class PublicTokenActor:
    """A partner token acting for a member of the public. Permission checks answer no (it is not
    signed in), as for someone on the public form; the audit log and the order's history name the
    token ("API token: <name>", with the id of the organiser who made it)."""

    is_authenticated = False
    is_active = False
    is_site_admin = False
    roles: tuple = ()

    def __init__(self, token: ApiToken):
        self.token = token

    @property
    def id(self) -> None:
        return None

    @property
    def name(self) -> str:
        return self.token.name

    @property
    def audit_user_id(self) -> int:
        return self.token.created_by_id

    @property
    def audit_label(self) -> str:
        return f"API token: {self.token.name}"


def payment_method(body: dict) -> PaymentMethod | None:
    """The public form's payment method for the body's `payment_method`. Raises ValidationFailed for
    "paid elsewhere", an organiser's way (the quote refuses what else the event does not offer)."""
    name = body.get("payment_method")
    if name not in PUBLIC_METHODS:
        message = gettext("Choose one of the payment options offered.")
        raise ValidationFailed({"payment_method": message}, message=message)
    return PUBLIC_METHODS[name]


def check_body(body: dict) -> None:
    """What a partner's order cannot ask for, whatever the event: a confirmation left unsent (the
    form always emails the buyer: their ticket link and the organisers' notices are in it)."""
    if not body["send_email"]:
        message = gettext("An order from a partner site is always emailed to the buyer, as the registration "
                          "form's orders are.")
        raise ValidationFailed({"send_email": message}, message=message)


def clearer(error: ValidationFailed) -> ValidationFailed:
    """A refusal with one reason says it in `detail` too (the form shows it beside its field)."""
    if len(error.errors) == 1 and error.message == str(ValidationFailed.default_message):
        return ValidationFailed(error.errors, message=next(iter(error.errors.values())))
    return error


def remember_order(token: ApiToken, order) -> None:
    """Note that `token` placed `order` (in the order's transaction). A twin request's order, which
    place_order answers with, was noted by the twin: kept as it is."""
    try:
        with db.session.begin_nested():
            db.session.add(ApiTokenOrder(order_id=order.id, token_id=token.id))
    except IntegrityError:
        pass


def placed(token: ApiToken, order_id: int) -> bool:
    return db.session.scalar(select(ApiTokenOrder.token_id).where(ApiTokenOrder.order_id == order_id)) == token.id
