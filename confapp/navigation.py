"""The organiser's per-event menu. Each domain adds its own entry from its views module,
so the shared template never needs editing when a capability is added."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ManageNavItem:
    label: str
    endpoint: str
    action: str
    order: int
    # Endpoints whose pages count as "inside" this item (for aria-current).
    prefix: str


MANAGE_NAV: list[ManageNavItem] = []


def register_manage_nav(label: str, endpoint: str, action: str, order: int, prefix: str | None = None) -> None:
    if any(item.endpoint == endpoint for item in MANAGE_NAV):
        return
    MANAGE_NAV.append(ManageNavItem(label, endpoint, str(action), order, prefix or endpoint))
    MANAGE_NAV.sort(key=lambda item: item.order)
