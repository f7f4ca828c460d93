from datetime import timedelta

from confapp.demo import DemoContext
from confapp.demo import reports as demo_reports
from confapp.reports.services import report_for
from confapp.types import utcnow
from tests.factories import make_event, make_user
from tests.reports_data import known_event, program_known


def test_demo_publishes_the_phrge_report_with_arrivals_and_feedback(db):
    organiser = make_user()
    start = utcnow() - timedelta(days=30)
    event = make_event(organiser=organiser, starts_at=start, ends_at=start + timedelta(hours=30),
                       title="The 2016 PHRGE Institute")
    builder = known_event(event)
    program_known(builder, organiser)
    demo_reports.load(DemoContext(now=utcnow(), users={"organiser": organiser}, events={"phrge_2016": event}))
    report = report_for(event)
    assert report.is_published
    figures = report.snapshot["figures"]
    assert figures["headline"]["attended"] > 0 and figures["feedback"]["responses"] == 10
    assert "academics, advocates and activists" in report.snapshot["texts"]["narrative"]
    assert "affirmation of the recommendations" in report.snapshot["texts"]["recommendations_md"]


def test_demo_step_does_nothing_without_participants(db):
    event = make_event()
    demo_reports.load(DemoContext(now=utcnow(), users={"organiser": make_user()}, events={"phrge_2016": event}))
    assert report_for(event) is None
