from __future__ import annotations

from ..accounts.services import create_user
from . import DEMO_PASSWORD, DemoContext

DEMO_LOGINS = (
    ("admin", "admin@confapp.example", "Sam Okafor (site admin)", True),
    ("organiser", "organiser@confapp.example", "Martha Davis", False),
    ("organiser2", "jackson-organiser@confapp.example", "Rukia Lumumba", False),
    ("staff", "staff@confapp.example", "Maria Lopez", False),
)


def load(ctx: DemoContext) -> None:
    for key, email, name, admin in DEMO_LOGINS:
        ctx.users[key] = create_user(email, name, DEMO_PASSWORD, is_site_admin=admin, now=ctx.now)
