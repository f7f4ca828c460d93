"""Browser tests leave docs/screenshots alone unless asked to refresh them."""
from tests.browser.conftest import ARTIFACT_SCREENSHOTS, DOCS_SCREENSHOTS, screenshots_target


def test_screenshots_go_to_test_artifacts_by_default():
    assert screenshots_target({}) == ARTIFACT_SCREENSHOTS
    assert screenshots_target({"CONFAPP_UPDATE_SCREENSHOTS": "0"}) == ARTIFACT_SCREENSHOTS


def test_make_screenshots_writes_the_docs_copies():
    assert screenshots_target({"CONFAPP_UPDATE_SCREENSHOTS": "1"}) == DOCS_SCREENSHOTS


def test_no_browser_test_hard_codes_the_docs_folder():
    from pathlib import Path

    folder = Path(__file__).resolve().parents[2] / "browser"
    offenders = [p.name for p in folder.glob("test_*.py") if "docs/screenshots" in p.read_text()
                 or '"docs"' in p.read_text()]
    assert offenders == []
