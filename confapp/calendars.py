"""What a person's own calendar feed adds to its entries, contributed by the domains that own it
(online: the personal join link and dial-in, as URL and CONFERENCE properties, for those entitled
once revealed), the way outreach's person links are. The feeds that belong to one registration
(the ticket's event.ics, the personal agenda) call `personalise`; the public feeds never do, so
nothing registered here can reach them."""
from __future__ import annotations

from datetime import datetime
from typing import Callable

# Each is called as add(registration, event, entries, now), `entries` being (session or None for
# the event as a whole, its VEVENT) pairs, and changes the VEVENTs in place.
_ADDITIONS: list[Callable] = []


def register_personal_addition(add: Callable) -> Callable:
    _ADDITIONS.append(add)
    return add


def personalise(registration, event, entries: list, *, now: datetime) -> None:
    for add in _ADDITIONS:
        add(registration, event, entries, now)
