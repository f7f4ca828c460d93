"""Demo registrations: categories, codes and questions (built-ins and a conditional one),
about 150 people at the 2016 PHRGE Institute, the 2018 Jackson convening, and open
registration for the next PHRGE Institute. Everything goes through the registration services."""
from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

from ..events.models import EventStatus
from ..extensions import db
from ..payments.models import Payment, PaymentProvider, PaymentStatus
from ..registration import catalogue, services
from ..registration.catalogue import CategoryData, QuestionData
from ..registration.models import PaymentMethod, RegistrationStatus
from ..registration.services import AttendeeData, CategoryChoice, OrderRequest
from ..registration.waitlist import join_waitlist
from . import DemoContext

FIRST = ("Maria", "James", "Aisha", "Carlos", "Keisha", "David", "Nadia", "Tom", "Lucia", "Andre", "Grace", "Malik", "Sofia",
         "Ben", "Fatima", "Jorge", "Hannah", "Kwame", "Elena", "Marcus", "Priya", "Luis", "Jasmine", "Samuel", "Amara", "Diego",
         "Rachel", "Tariq", "Naomi", "Victor", "Imani", "Daniel", "Rosa", "Ahmed", "Claire", "Hector", "Leila", "Patrick",
         "Yolanda", "Kenji", "Monique", "Omar", "Beatriz", "Ruth", "Isaiah", "Mei", "Frank", "Gloria", "Ibrahim", "Teresa")
LAST = ("Johnson", "Rivera", "Williams", "Nguyen", "Brown", "Okafor", "Garcia", "Davis", "Kim", "Martinez", "Jackson", "Lee",
        "Thompson", "Hernandez", "Washington", "Patel", "Robinson", "Lopez", "Clark", "Ali", "Walker", "Gonzalez", "Young",
        "Mensah", "King", "Torres", "Wright", "Cohen", "Scott", "Diallo", "Green", "Ramirez", "Baker", "Silva", "Adams",
        "Flores", "Nelson", "Chen", "Hill", "Reyes", "Campbell", "Murphy", "Sanchez", "Turner", "Haddad", "Phillips")
PLACES = (("Boston", "Massachusetts"), ("Cambridge", "Massachusetts"), ("Baltimore", "Maryland"), ("Chicago", "Illinois"),
          ("New York", "New York"), ("Pittsburgh", "Pennsylvania"), ("Washington", "District of Columbia"),
          ("Eugene", "Oregon"), ("Jackson", "Mississippi"), ("Atlanta", "Georgia"), ("Seattle", "Washington"),
          ("Detroit", "Michigan"), ("Providence", "Rhode Island"), ("Philadelphia", "Pennsylvania"))
ORGANISATIONS = ("Boston University", "Columbia University", "Northeastern University School of Law",
                 "Pittsburgh Commission on Human Relations", "Eugene Human Rights Commission",
                 "Washington, DC Office of Human Rights", "Baltimore Human Rights Commission", "US Human Rights Network",
                 "National Economic and Social Rights Initiative", "Center for Constitutional Rights",
                 "Chicago Commission on Human Relations", "Cooperation Jackson", "Mississippi Center for Justice",
                 "Women's Institute for Leadership Development", "Columbia Law School Human Rights Institute",
                 "American Civil Liberties Union", "Massachusetts Law Reform Institute", "Amnesty International USA",
                 "The Opportunity Agenda", "Kensington Welfare Rights Union", "")
PRONOUNS = ("she/her", "he/him", "they/them", "", "", "")
DIETARY = ("", "", "", "Vegetarian", "Vegan", "Halal", "Gluten-free", "No pork", "Nut allergy")
INTERESTS = ("Local human rights commissions", "Budgeting and economic rights", "Reporting to UN treaty bodies",
             "Housing and homelessness", "Policing and accountability", "Organising and movement building")


def _questions(event, actor) -> dict[str, int]:
    for key in ("organisation", "city", "region", "country", "pronouns", "accessibility", "dietary", "interpretation",
                "consent_attendee_list", "consent_photos"):
        catalogue.set_builtin(event, key, True, actor=actor)
    interests = catalogue.save_question(event, QuestionData(
        label="Which themes interest you most?", kind="multiple_choice", options=list(INTERESTS), is_personal=False,
        help_text="Helps us size the workshop rooms.", position=30), actor=actor)
    childcare = catalogue.save_question(event, QuestionData(
        label="Do you need childcare during the sessions?", kind="single_choice", options=["Yes", "No"], position=31), actor=actor)
    ages = catalogue.save_question(event, QuestionData(
        label="How many children, and their ages?", kind="short_text", position=32,
        condition_question_id=childcare.id, condition_value="Yes", required=True), actor=actor)
    from sqlalchemy import select

    from ..registration.models import Question

    ids = {q.builtin_key: q.id for q in db.session.scalars(select(Question).where(Question.event_id == event.id)) if q.builtin_key}
    ids.update(interests=interests.id, childcare=childcare.id, ages=ages.id)
    return ids


SPANISH_CATEGORIES = {
    "general": {"name": "General", "description": "Abogados/as, academia, personal de gobierno y de organizaciones "
                                                  "grandes. Incluye el almuerzo de ambos días."},
    "student": {"name": "Estudiante", "description": "Traiga su credencial de estudiante a la mesa de registro."},
    "community": {"name": "Miembro de la comunidad", "description": "Organizadores/as de base y miembros de la "
                                                                   "comunidad: pague lo que pueda, incluso nada."},
}
SPANISH_INTERESTS = ("Comisiones locales de derechos humanos", "Presupuestos y derechos económicos",
                     "Informes a los órganos de tratados de la ONU", "Vivienda y personas sin hogar",
                     "Policía y rendición de cuentas", "Organización y construcción de movimientos")


def _spanish_setup(event, categories) -> None:
    """The bilingual edition's categories and own questions in Spanish (the answers stay English)."""
    from sqlalchemy import select

    from ..registration.models import Question

    for key, texts in SPANISH_CATEGORIES.items():
        categories[key].translations = {"es": dict(texts)}
    spanish = {
        "Which themes interest you most?": {"label": "¿Qué temas le interesan más?", "options": list(SPANISH_INTERESTS),
                                            "help_text": "Nos ayuda a elegir el tamaño de las salas de los talleres."},
        "Do you need childcare during the sessions?": {"label": "¿Necesita cuidado infantil durante las sesiones?",
                                                       "options": ["Sí", "No"]},
        "How many children, and their ages?": {"label": "¿Cuántos niños y niñas, y de qué edades?"},
    }
    for question in db.session.scalars(select(Question).where(Question.event_id == event.id)):
        if question.label in spanish:
            question.translations = {"es": spanish[question.label]}


def _phrge_categories(event, actor) -> dict[str, object]:
    general = catalogue.save_category(event, CategoryData(
        name="General", price_kind="fixed", price_minor=15000, allows_waiver=True, position=1,
        description="Lawyers, academics, government staff and staff of larger organisations. Includes lunch both days."), actor=actor)
    student = catalogue.save_category(event, CategoryData(
        name="Student", price_kind="fixed", price_minor=4000, allows_waiver=True, capacity=40, position=2,
        description="Bring your student card to the desk."), actor=actor)
    community = catalogue.save_category(event, CategoryData(
        name="Community member", price_kind="pay_what_you_can", min_minor=0, suggested_minor=2500, max_minor=15000, position=3,
        description="Grassroots organisers and community members: pay what you can, including nothing."), actor=actor)
    speaker = catalogue.save_category(event, CategoryData(
        name="Speaker", price_kind="free", visibility="hidden", position=4,
        description="For panellists and workshop leaders; use the code in your invitation."), actor=actor)
    return {"general": general, "student": student, "community": community, "speaker": speaker}


def _answers(rng: random.Random, q: dict[str, int], organisation: str, place) -> dict[int, object]:
    answers = {q["organisation"]: organisation, q["city"]: place[0], q["region"]: place[1], q["country"]: "US",
               q["pronouns"]: rng.choice(PRONOUNS), q["dietary"]: rng.choice(DIETARY),
               q["interpretation"]: rng.choice(["None needed"] * 8 + ["Spanish", "ASL"]),
               q["consent_attendee_list"]: "yes" if rng.random() < 0.8 else "",
               q["consent_photos"]: "yes" if rng.random() < 0.85 else "",
               q["interests"]: rng.sample(INTERESTS, rng.randint(1, 3)),
               q["childcare"]: "Yes" if rng.random() < 0.08 else "No"}
    if answers[q["childcare"]] == "Yes":
        answers[q["ages"]] = rng.choice(["One, age 4", "Two: 6 and 9", "One, 18 months"])
    if rng.random() < 0.1:
        answers[q["accessibility"]] = rng.choice(["Wheelchair user: step-free seating please", "CART captioning",
                                                  "Large-print materials", "A quiet room for breaks"])
    return answers


def _person(rng: random.Random, used: set[str], domain_hint: str) -> tuple[str, str, str]:
    while True:
        first, last = rng.choice(FIRST), rng.choice(LAST)
        email = f"{first}.{last}{rng.randint(1, 99)}@{domain_hint}".lower()
        if email not in used:
            used.add(email)
            return first, last, email


def _record_card_payment(order, *, started: datetime, paid_at: datetime) -> None:
    """The Payment row the Stripe webhook leaves for a paid Checkout, so the Payments page, the
    receipt and refunds see the money the order counts. The demo never talked to Stripe, so
    the row has no Stripe ids, and a refund of it is recorded as handed back, not sent there."""
    db.session.add(Payment(
        order_id=order.id, event_id=order.event_id, provider=PaymentProvider.STRIPE, method=PaymentMethod.CARD.value,
        status=PaymentStatus.PAID, amount_minor=order.total_minor, currency=order.currency, created_at=started,
        paid_at=paid_at,
    ))


def _register_many(event, categories, q, *, count: int, start: datetime, span_days: int, seed: int, actor=None,
                   cancel_share: float = 0.05) -> None:
    rng = random.Random(seed)
    used: set[str] = set()
    weights = [("general", 45), ("student", 20), ("community", 30), ("speaker", 5)]
    names = [k for k, _ in weights if k in categories]
    settings = services.settings_for(event)
    methods = [PaymentMethod.CARD, PaymentMethod.CARD] + ([PaymentMethod.INVOICE] if settings.invoice_enabled else []) \
        + ([PaymentMethod.AT_DOOR] if settings.at_door_enabled else [])
    made = 0
    while made < count:
        key = rng.choices(names, [w for k, w in weights if k in categories])[0]
        category = categories[key]
        group = 1 if rng.random() < 0.9 or key == "speaker" else rng.randint(2, 3)
        group = min(group, count - made)
        organisation = rng.choice(ORGANISATIONS)
        place = rng.choice(PLACES)
        people = [_person(rng, used, "example.org") for _ in range(group)]
        moment = start + timedelta(days=rng.uniform(0, span_days))
        waiver = category.allows_waiver and rng.random() < 0.08
        method = rng.choice(methods)
        order_request = OrderRequest(
            [CategoryChoice(category.id, group, rng.choice([0, 1000, 2500, 2500, 5000]) if key == "community" else None)],
            [AttendeeData(f, l, e, _answers(rng, q, organisation, place)) for f, l, e in people],
            access_code="SPEAKER" if key == "speaker" else "", waiver_requested=waiver,
            waiver_reason="Unwaged community organiser; travelling from out of state." if waiver else "",
            payment_method=method, send_email=False, ip_address="")
        order = services.place_order(event, order_request, actor=actor, now=moment)
        if any(r.status == RegistrationStatus.AWAITING_PAYMENT for r in order.registrations):
            paid_at = moment + timedelta(minutes=4)
            services.confirm_paid_order(order, amount_minor=order.total_minor, now=paid_at, actor=actor, send_email=False)
            _record_card_payment(order, started=moment, paid_at=paid_at)
        if rng.random() < cancel_share:
            services.cancel_registration(order.registrations[0], actor=None, reason="Cannot travel", by_attendee=True,
                                         now=moment + timedelta(days=3), refund="none", send_email=False)
        made += group


def load(ctx: DemoContext) -> None:
    admin = ctx.users["admin"]
    phrge_2016, jackson, phrge_next = ctx.events["phrge_2016"], ctx.events["jackson_2018"], ctx.events["phrge_next"]

    # 2016: registrations taken while it was open (October-December 2016).
    catalogue.save_settings(phrge_2016, {"hold_minutes": 30, "refund_policy": "until_date", "invoice_enabled": True,
                                         "refund_until": phrge_2016.starts_at - timedelta(days=7), "waitlist_enabled": True},
                            actor=admin)
    categories = _phrge_categories(phrge_2016, admin)
    catalogue.create_access_code(phrge_2016, code="SPEAKER", category_ids=[categories["speaker"].id], actor=admin)
    catalogue.create_discount_code(phrge_2016, code="ALLY25", kind="percent", percent=25, usage_limit=30, actor=admin)
    q = _questions(phrge_2016, admin)
    _register_many(phrge_2016, categories, q, count=150, start=datetime(2016, 10, 3, 14, tzinfo=timezone.utc),
                   span_days=60, seed=2016)

    # Jackson 2018 (archived): free, delegates approved by the Alliance; registered by its staff.
    delegate = catalogue.save_category(jackson, CategoryData(name="Delegate", price_kind="free", position=1,
                                                             description="Member organisations' delegates."), actor=admin)
    public = catalogue.save_category(jackson, CategoryData(name="Community member", price_kind="free", position=2), actor=admin)
    qj = _questions(jackson, admin)
    status = jackson.status
    jackson.status = EventStatus.PUBLISHED
    _register_many(jackson, {"general": delegate, "community": public}, qj, count=60,
                   start=datetime(2018, 2, 15, 15, tzinfo=timezone.utc), span_days=50, seed=2018)
    jackson.status = status

    # The next edition: the 2016 set-up copied over (the same hook a new edition uses), registration open now.
    catalogue.copy_registration_setup(phrge_2016, phrge_next, phrge_next.starts_at - phrge_2016.starts_at)
    catalogue.save_settings(phrge_next, {"hold_minutes": 30, "refund_policy": "full", "at_door_enabled": True,
                                         "waitlist_enabled": True}, actor=admin)
    db.session.flush()
    from sqlalchemy import select

    from ..registration.models import RegistrationCategory

    next_categories = {c.name.lower().split()[0]: c for c in db.session.scalars(
        select(RegistrationCategory).where(RegistrationCategory.event_id == phrge_next.id))}
    catalogue.create_access_code(phrge_next, code="SPEAKER", category_ids=[next_categories["speaker"].id], actor=admin)
    _spanish_setup(phrge_next, next_categories)
    from ..registration.models import Question

    qn = {x.builtin_key: x.id for x in db.session.scalars(select(Question).where(Question.event_id == phrge_next.id)) if x.builtin_key}
    custom = {x.label: x.id for x in db.session.scalars(select(Question).where(Question.event_id == phrge_next.id))}
    qn.update(interests=custom["Which themes interest you most?"], childcare=custom["Do you need childcare during the sessions?"],
              ages=custom["How many children, and their ages?"])
    _register_many(phrge_next, {"general": next_categories["general"], "student": next_categories["student"],
                                "community": next_categories["community"]}, qn, count=24,
                   start=ctx.now - timedelta(days=6), span_days=5, seed=2026, cancel_share=0.0)
    join_waitlist(phrge_next, name="Rosa Diallo", email="rosa.diallo@example.org",
                  category_id=next_categories["student"].id, now=ctx.now - timedelta(hours=5))
    ctx.extra["registration_categories"] = next_categories
