"""Rules for the summary report, the retention period and the purge."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext
from sqlalchemy import select

from ..audit.services import record
from ..errors import InvalidState, ValidationFailed
from ..events.content_languages import (default_language, event_languages, localized, register_translatable,
                                       set_translations)
from ..events.models import Event
from ..extensions import db
from ..webhooks import outbox
from ..templating import format_date_range
from .charts import format_count
from .models import DEFAULT_RETENTION_DAYS, DataRetention, Report, ReportStatus
from ..i18n import in_language
from .narrative import NarrativeFacts, draft_in
from .purge import run_person_purgers, run_purgers
from .queries import compute_figures, live_figures
from .suppression import WITHHELD, public_figures

MAX_RETENTION_DAYS = 3650
SNAPSHOT_VERSION = 1


@dataclass
class ReportTexts:
    audience_phrase: str = ""
    narrative: str = ""
    outcomes_md: str = ""
    recommendations_md: str = ""
    acknowledgements_md: str = ""


TEXT_FIELDS = tuple(ReportTexts.__dataclass_fields__)
# The texts printed in the report, which organisers can give in each of the event's languages.
TRANSLATED_TEXTS = ("narrative", "outcomes_md", "recommendations_md", "acknowledgements_md")
register_translatable(Report, TRANSLATED_TEXTS)


def report_for(event: Event) -> Report | None:
    return db.session.scalar(select(Report).where(Report.event_id == event.id))


def narrative_facts(event: Event, figures: dict, audience: str = "", language: str | None = None) -> NarrativeFacts:
    """The narrative's inputs from the public figures: it is printed in the public report, so it
    names only places with five or more participants and organisations of people who consented.
    With `language`, the event's title and dates as that language gives them."""
    public = public_figures(figures)
    headline = figures["headline"]
    # A number hidden as a complement ("not shown") must not come back in words.
    use_attended = figures.get("attendance_known") and headline["attended"] and public["headline"]["attended"] != WITHHELD
    participants = headline["attended"] if use_attended else headline["registered"]
    return NarrativeFacts(
        event_title=str(localized(event, "title", language)) if language else event.title,
        participants=participants or 0,
        audience=audience,
        venue=event.venue_name,
        dates=format_date_range(event.starts_at, event.ends_at, event.timezone),
        cities=[row["label"] for row in public["cities"] if not row.get("pooled")],
        cities_total=headline["cities"],
        countries_total=headline["countries"],
        organisations=[row["label"] for row in figures.get("organisations", [])],
        organisations_total=headline["organisations"],
        sessions_total=headline["sessions"],
        speakers_total=headline["speakers"],
        public=True,
    )


def _draft_narratives(report: Report, event: Event, figures: dict) -> None:
    """The narrative drafted in the event's default language (the column) and, for an event in
    several languages, in each of the others (its translations), each with the event's title and
    dates in that language."""
    default = default_language(event)
    drafts = {}
    for language in event_languages(event):
        # The audience phrase is written in the default language; the others say "participants".
        audience = report.audience_phrase if language == default else ""
        with in_language(language):
            drafts[language] = draft_in(language, narrative_facts(event, figures, audience, language))
    report.narrative = drafts.pop(default)
    set_translations(report, {lang: {"narrative": text} for lang, text in drafts.items()}, ("narrative",))


def start_report(event: Event, *, actor) -> Report:
    """Create the event's draft report with a narrative drafted from the current figures."""
    report = report_for(event)
    if report is not None:
        return report
    report = Report(event_id=event.id, status=ReportStatus.DRAFT, audience_phrase="participants")
    _draft_narratives(report, event, compute_figures(event))
    db.session.add(report)
    db.session.flush()
    record("report.created", actor=actor, event=event, target=report)
    return report


def redraft_narrative(report: Report, *, actor) -> str:
    """Replace the narrative with a fresh draft from the current figures."""
    _draft_narratives(report, report.event, compute_figures(report.event))
    db.session.flush()
    record("report.narrative_redrafted", actor=actor, event=report.event, target=report)
    return report.narrative


def update_report(report: Report, texts: ReportTexts, *, actor) -> Report:
    """Save the organiser's text. A published report keeps showing its published text until
    it is published again."""
    if len(texts.narrative) > 20000:
        raise ValidationFailed({"narrative": gettext("Keep the narrative under %(num)s characters.", num=format_count(20000))})
    changed = [name for name in TEXT_FIELDS if getattr(report, name) != getattr(texts, name)]
    for name in TEXT_FIELDS:
        setattr(report, name, getattr(texts, name))
    db.session.flush()
    if changed:
        record("report.updated", actor=actor, event=report.event, target=report, details={"fields": changed})
    return report


def publish_report(report: Report, *, actor, now: datetime) -> Report:
    """Freeze the figures and the text into the snapshot and publish. Publishing again takes a
    new snapshot (after the purge, of the figures frozen before it)."""
    event = report.event
    if now < event.starts_at:
        raise InvalidState(gettext("A report can be published once the event has started."))
    report.snapshot = {
        "version": SNAPSHOT_VERSION,
        "figures": compute_figures(event),
        "texts": {name: getattr(report, name) for name in TEXT_FIELDS},
        "translations": dict(report.translations or {}),
        "published_at": now.isoformat(),
    }
    report.status = ReportStatus.PUBLISHED
    report.published_at = now
    db.session.flush()
    record("report.published", actor=actor, event=event, target=report, now=now)
    outbox.emit_report_published(report, now=now)
    return report


def unpublish_report(report: Report, *, actor) -> Report:
    if not report.is_published:
        raise InvalidState(gettext("The report is not published."))
    report.status = ReportStatus.DRAFT
    db.session.flush()
    record("report.unpublished", actor=actor, event=report.event, target=report)
    return report


# --- retention and purge ---------------------------------------------------------------------

def retention_for(event: Event) -> DataRetention:
    retention = db.session.get(DataRetention, event.id)
    if retention is None:
        retention = DataRetention(event_id=event.id, retention_days=DEFAULT_RETENTION_DAYS, purge_counts={})
        db.session.add(retention)
        db.session.flush()
    return retention


def purge_due_at(event: Event, retention: DataRetention | None) -> datetime:
    days = retention.retention_days if retention is not None else DEFAULT_RETENTION_DAYS
    return event.ends_at + timedelta(days=days)


def personal_data_due(event: Event, now: datetime) -> bool:
    """True once the event's personal data is deleted or due for deletion (the scheduled purge may
    not have run yet): nothing may then be sent to its participants by name (survey, certificates)."""
    retention = db.session.get(DataRetention, event.id)
    return (retention is not None and retention.purged_at is not None) or purge_due_at(event, retention) <= now


def set_retention(event: Event, days: int, *, actor) -> DataRetention:
    """Personal data is kept `days` after the event ends (0 to 3650)."""
    if not 0 <= days <= MAX_RETENTION_DAYS:
        raise ValidationFailed({"retention_days": gettext("Choose between 0 and %(max)s days.", max=MAX_RETENTION_DAYS)})
    retention = retention_for(event)
    if retention.purged_at is not None:
        raise InvalidState(gettext("This event's personal data has already been deleted."))
    retention.retention_days = days
    db.session.flush()
    record("data.retention_set", actor=actor, event=event, details={"retention_days": days})
    return retention


def purge_event(event: Event, *, actor, now: datetime) -> DataRetention:
    """Remove the event's personal data across every domain (the purge registry), after
    freezing the figures so that dashboards, drafts and reports keep their numbers.
    Running it again sweeps anything personal added since (for example a late survey)."""
    if now < event.ends_at:
        raise InvalidState(gettext("Personal data can be deleted once the event has ended."))
    retention = retention_for(event)
    if retention.frozen_figures is None:
        retention.frozen_figures = live_figures(event)
    counts = run_purgers(event, now)
    db.session.expire_all()
    retention = retention_for(event)
    retention.purged_at = now
    retention.purge_counts = counts
    db.session.flush()
    record("data.purged", actor=actor, event=event, details={"rows": counts}, now=now)
    return retention


def events_due_for_purge(now: datetime) -> list[Event]:
    candidates = db.session.execute(
        select(Event, DataRetention)
        .outerjoin(DataRetention, DataRetention.event_id == Event.id)
        .where(Event.ends_at <= now, (DataRetention.purged_at.is_(None)))
    ).all()
    return [event for event, retention in candidates if purge_due_at(event, retention) <= now]


def forget_registration(registration, *, actor, now: datetime) -> dict[str, int]:
    """A participant's request to be forgotten: their personal data goes at once, the row stays
    so the counts stay. A place still held for an upcoming event must be cancelled first."""
    from ..registration.models import ACTIVE_STATUSES

    if registration.status in ACTIVE_STATUSES and now < registration.event.ends_at:
        raise InvalidState(gettext("Cancel your registration first, or ask again after the event."))
    counts = run_person_purgers(registration, now)
    db.session.flush()
    record("data.registration_forgotten", actor=actor, event=registration.event, target=registration, now=now,
           details={"rows": counts})
    return counts




def copy_retention(source: Event, target: Event, shift) -> None:
    """A new edition keeps the previous edition's retention period (not its report or data)."""
    retention = db.session.get(DataRetention, source.id)
    if retention is not None and retention.retention_days != DEFAULT_RETENTION_DAYS:
        db.session.add(DataRetention(event_id=target.id, retention_days=retention.retention_days, purge_counts={}))
        db.session.flush()


from ..events.services import register_copy_hook  # noqa: E402

register_copy_hook(copy_retention)


from . import cache  # noqa: E402,F401  (registers the cached figures' purgers)
