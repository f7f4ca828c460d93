"""Writing a check-in so that the database decides admission: one INSERT ... SELECT that inserts
only while the registration is still confirmed and owes nothing (redeem and the offline sync)."""
from __future__ import annotations

import functools

from sqlalchemy import and_, bindparam, insert, literal, select
from sqlalchemy.orm import make_transient_to_detached

from ..extensions import db
from ..registration.models import Order, PaymentState, Registration, RegistrationStatus
from .models import CheckIn


def insert_if_still_admitted(check_in: CheckIn, registration: Registration) -> bool:
    """INSERT ... SELECT ... WHERE the registration is still confirmed and not owed money, in one
    statement under the write lock: the refusal rules read before the lock are decided again by
    the write (on PostgreSQL a cancellation committed meanwhile is seen by the statement's
    snapshot; on SQLite BEGIN IMMEDIATE serialises it). The new row becomes `check_in` in the
    session without being read back. Returns False when nothing was inserted."""
    columns, statement = _admitted_insert()
    values = {name: getattr(check_in, name) for name in columns}
    values["actor_label"] = values["actor_label"] or ""
    values["station"] = values["station"] or ""
    values["reverted_by_label"] = values["reverted_by_label"] or ""
    values["synced_offline"] = bool(values["synced_offline"])
    new_id = db.session.connection().execute(statement, {**values, "admitted_registration_id": registration.id}).scalar()
    if new_id is None:
        return False
    for name, value in values.items():
        setattr(check_in, name, value)
    check_in.id = new_id
    make_transient_to_detached(check_in)
    db.session.add(check_in)
    return True


@functools.cache
def _admitted_insert():
    """The INSERT ... SELECT of insert_if_still_admitted, built once with bound parameters (it
    was built from literals for every scan: most of a redeem's time in a 500-scan sync)."""
    table = CheckIn.__table__
    columns = [c.name for c in table.columns if c.name != "id"]
    admitted = (
        select(literal(1)).select_from(Registration).join(Order, Order.id == Registration.order_id)
        .where(Registration.id == bindparam("admitted_registration_id"), Registration.status == RegistrationStatus.CONFIRMED,
               ~and_(Order.payment_state == PaymentState.UNPAID, Order.total_minor > Order.paid_minor))
    )
    source = select(*(bindparam(name, type_=table.c[name].type) for name in columns)).where(admitted.exists())
    return columns, insert(table).from_select(columns, source).returning(table.c.id)
