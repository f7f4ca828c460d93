"""The demo convenings: past editions to show what a finished convening looks like,
and an upcoming PHRGE Institute with registration open so every flow can be tried."""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from ..accounts.models import EventRole, Role
from ..events import services
from ..events.models import EventStatus
from ..events.services import EventData
from ..extensions import db
from . import DemoContext

BOSTON = ZoneInfo("America/New_York")
JACKSON = ZoneInfo("America/Chicago")
OAKLAND = ZoneInfo("America/Los_Angeles")

PHRGE_DESCRIPTION = """\
The Program on Human Rights and the Global Economy (PHRGE) hosts its annual Human Rights Institute,
bringing together academics, advocates and activists working to bring human rights home.

This year's theme, **Global Justice Goes Local: The Emergence of Human Rights Cities**, looks at how
cities across the United States are adopting human rights frameworks, from Pittsburgh to Jackson,
and what local government, community organisations and law schools can do together.

- Plenaries with city officials and movement leaders
- Panels on federal, state and municipal perspectives
- Workshops on human rights impact assessment, budgeting and reporting to UN treaty bodies
"""

# The next edition is bilingual (issue 13): its Spanish texts, as an organiser would enter them.
PHRGE_NEXT_SPANISH = {
    "title": "Ciudades de derechos humanos: poder local, estándares globales",
    "subtitle": "21.º Instituto anual de Derechos Humanos de PHRGE",
    "description": """\
El Programa sobre Derechos Humanos y Economía Global (PHRGE) organiza su Instituto anual de Derechos
Humanos, que reúne a personas académicas, defensoras y activistas que trabajan para hacer realidad
los derechos humanos en casa.

El tema de este año, **La justicia global se vuelve local: el surgimiento de las ciudades de derechos
humanos**, examina cómo ciudades de todo Estados Unidos adoptan marcos de derechos humanos, de
Pittsburgh a Jackson, y qué pueden hacer juntos los gobiernos locales, las organizaciones comunitarias
y las facultades de derecho.

- Plenarias con autoridades municipales y líderes de los movimientos
- Paneles sobre las perspectivas federal, estatal y municipal
- Talleres sobre evaluación de impacto en derechos humanos, presupuestos e informes a los órganos de
  tratados de la ONU
""",
}

JACKSON_DESCRIPTION = """\
The US National Human Rights Cities Alliance convenes members from across the country in Jackson,
Mississippi, to share strategies for building human rights cities: participatory budgeting,
economic democracy, and accountability for local governments.
"""

WRC_DESCRIPTION = """\
A two-day gathering of formerly incarcerated and convicted people, our families and allies, to build
the movement for civil and human rights: Ban the Box and fair chance hiring, voting rights,
ending life without parole, and restoring families. Convened by All of Us or None and
Legal Services for Prisoners with Children.
"""


def _local(zone: ZoneInfo, year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=zone)


def _organiser(ctx: DemoContext, event, key: str) -> None:
    db.session.add(EventRole(user_id=ctx.users[key].id, event_id=event.id, role=Role.ORGANISER, granted_at=ctx.now))


def _staff(ctx: DemoContext, event) -> None:
    db.session.add(EventRole(user_id=ctx.users["staff"].id, event_id=event.id, role=Role.CHECKIN_STAFF, granted_at=ctx.now))


def load(ctx: DemoContext) -> None:
    admin = ctx.users["admin"]
    phrge = services.create_series("PHRGE Human Rights Institute", actor=admin,
                                    description="The annual Human Rights Institute of the Program on Human Rights and the Global Economy, Northeastern University School of Law.")
    alliance = services.create_series("US Human Rights Cities Alliance convening", actor=admin,
                                      description="The yearly national convening of the US Human Rights Cities Alliance.")

    phrge_2016 = services.create_event(EventData(
        title="Global Justice Goes Local: The Emergence of Human Rights Cities",
        subtitle="11th annual PHRGE Human Rights Institute",
        edition_label="11th annual",
        slug="phrge-institute-2016",
        series_id=phrge.id,
        description=PHRGE_DESCRIPTION,
        timezone="America/New_York",
        starts_at=_local(BOSTON, 2016, 12, 8, 9, 0),
        ends_at=_local(BOSTON, 2016, 12, 9, 17, 0),
        venue_name="Northeastern University School of Law",
        venue_address="416 Huntington Avenue",
        venue_city="Boston", venue_region="Massachusetts", venue_country="US",
        venue_accessibility="Step-free entrance on Huntington Avenue; accessible restrooms on every floor; CART captioning in plenaries.",
        contact_email="phrge@confapp.example",
        capacity=180,
        registration_opens_at=_local(BOSTON, 2016, 10, 1, 9, 0),
        registration_closes_at=_local(BOSTON, 2016, 12, 7, 17, 0),
        organisers=("Program on Human Rights and the Global Economy (PHRGE)", "Northeastern University School of Law"),
        partners=("National Human Rights Cities Network", "US Human Rights Network"),
    ), actor=admin, now=ctx.now)

    jackson_2018 = services.create_event(EventData(
        title="Human Rights Cities Alliance National Convening 2018",
        subtitle="Building human rights cities from the ground up",
        edition_label="2018",
        slug="hrc-alliance-jackson-2018",
        series_id=alliance.id,
        description=JACKSON_DESCRIPTION,
        timezone="America/Chicago",
        starts_at=_local(JACKSON, 2018, 4, 13, 9, 0),
        ends_at=_local(JACKSON, 2018, 4, 15, 13, 0),
        venue_name="Jackson State University, Student Center",
        venue_address="1400 John R. Lynch Street",
        venue_city="Jackson", venue_region="Mississippi", venue_country="US",
        venue_accessibility="Ramps at the east entrance; elevator to all floors; Spanish interpretation available on request.",
        contact_email="alliance@confapp.example",
        capacity=250,
        organisers=("US Human Rights Cities Alliance", "Cooperation Jackson"),
        partners=("City of Jackson", "US Human Rights Network"),
    ), actor=admin, now=ctx.now)

    wrc_2015 = services.create_event(EventData(
        title="Formerly Incarcerated & Convicted People's Movement Western Regional Conference",
        subtitle="Nothing about us without us",
        edition_label="2015",
        slug="ficpm-western-regional-2015",
        description=WRC_DESCRIPTION,
        timezone="America/Los_Angeles",
        starts_at=_local(OAKLAND, 2015, 9, 20, 9, 0),
        ends_at=_local(OAKLAND, 2015, 9, 21, 17, 0),
        venue_name="Oakland Marriott City Center",
        venue_address="1001 Broadway",
        venue_city="Oakland", venue_region="California", venue_country="US",
        venue_accessibility="Step-free access throughout; quiet room on the second floor; childcare on request.",
        contact_email="aouon@confapp.example",
        capacity=400,
        organisers=("All of Us or None", "Legal Services for Prisoners with Children"),
        partners=("Formerly Incarcerated & Convicted People and Families Movement",),
    ), actor=admin, now=ctx.now)

    for event in (phrge_2016, jackson_2018, wrc_2015):
        services.publish_event(event, actor=admin, now=ctx.now)
        event.status = EventStatus.ARCHIVED if event is not phrge_2016 else EventStatus.PUBLISHED

    # The next PHRGE Institute: copied from the last edition, in about six weeks, registration open.
    start_day = (ctx.now.astimezone(BOSTON) + timedelta(days=42)).date()
    next_start = datetime(start_day.year, start_day.month, start_day.day, 9, 0, tzinfo=BOSTON)
    phrge_next = services.copy_event(
        phrge_2016,
        title="Human Rights Cities: Local Power, Global Standards",
        starts_at=next_start,
        edition_label="21st annual",
        slug="phrge-institute-next",
        actor=admin,
        now=ctx.now,
    )
    phrge_next.subtitle = "21st annual PHRGE Human Rights Institute"
    phrge_next.registration_opens_at = ctx.now - timedelta(days=7)
    phrge_next.registration_closes_at = next_start - timedelta(days=1)
    phrge_next.capacity = 150
    phrge_next.languages = ["en", "es"]
    phrge_next.translations = {"es": dict(PHRGE_NEXT_SPANISH)}
    services.publish_event(phrge_next, actor=admin, now=ctx.now)

    for event in (phrge_2016, phrge_next):
        _organiser(ctx, event, "organiser")
        _staff(ctx, event)
    _organiser(ctx, jackson_2018, "organiser2")
    _staff(ctx, jackson_2018)
    _organiser(ctx, wrc_2015, "organiser")

    ctx.events.update(phrge_2016=phrge_2016, jackson_2018=jackson_2018, wrc_2015=wrc_2015, phrge_next=phrge_next)
