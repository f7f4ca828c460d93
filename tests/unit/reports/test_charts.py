from confapp.reports.charts import bar_chart, column_chart, line_chart, report_charts
from confapp.reports.suppression import SUPPRESSED


def test_charts_are_self_contained_accessible_svg():
    for svg in (
        bar_chart([("Boston", 7), ("Other <cities>", SUPPRESSED)], "Participants by city"),
        column_chart([("09:00", 3), ("10:00", 12)], "Arrivals by time of day"),
        line_chart([("2026-11-01", 2), ("2026-11-02", 9)], "Registrations over time", ceiling=10),
    ):
        text = str(svg)
        assert text.startswith("<svg") and 'role="img"' in text and "<title" in text and "<desc" in text
        assert "<script" not in text and "style=" not in text and "http://" not in text.replace("http://www.w3.org/2000/svg", "")
    assert "Other &lt;cities&gt;" in str(bar_chart([("Other <cities>", 9)], "x"))


def test_suppressed_values_draw_no_bar_and_say_so():
    svg = str(bar_chart([("Boston", 7), ("Other", SUPPRESSED)], "Participants by city"))
    assert svg.count("<rect") == 1 and "fewer than 5" in svg


def test_same_figures_give_the_same_bytes():
    figures = {"registrations_over_time": [{"date": "2026-11-01", "cumulative": 3}], "cities": [{"label": "A", "count": 5}],
               "by_category": [], "arrivals_by_hour": [], "event": {"capacity": 10}}
    assert report_charts(figures) == report_charts(figures)
