"""Browser tests: a live server on its own SQLite database with the demo data, and Chromium.

These tests must not use the `db` fixture (it rebinds the shared session to a test
transaction); they talk to the live server only through the browser or HTTP.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.support.browser import CHROMIUM, CHROMIUM_ARGS, DESKTOP, PHONE
from tests.support.live import LiveServer

ROOT = Path(__file__).resolve().parents[2]
# Screenshots land in tests/artifacts (ignored by git) so a test run leaves the working tree clean;
# `make screenshots` (CONFAPP_UPDATE_SCREENSHOTS=1) refreshes the ones the docs show.
DOCS_SCREENSHOTS = ROOT / "docs" / "screenshots"
ARTIFACT_SCREENSHOTS = ROOT / "tests" / "artifacts" / "screenshots"


def screenshots_target(environ=os.environ) -> Path:
    return DOCS_SCREENSHOTS if environ.get("CONFAPP_UPDATE_SCREENSHOTS") == "1" else ARTIFACT_SCREENSHOTS


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def live_app(smtp_server, tmp_path_factory):
    from flask_migrate import upgrade

    from confapp import create_app
    from confapp.config import TestConfig
    from confapp.demo import load_demo
    from confapp.extensions import db
    from confapp.types import utcnow

    folder = tmp_path_factory.mktemp("live")
    config = TestConfig()
    config.SQLALCHEMY_DATABASE_URI = f"sqlite:///{folder / 'live.db'}"
    config.MAIL_SERVER = "127.0.0.1"
    config.MAIL_PORT = smtp_server.port
    config.WTF_CSRF_ENABLED = True  # the browser goes through the real forms
    config.TESTING = False
    app = create_app(config)
    with app.app_context():
        upgrade()
        load_demo(utcnow())
        db.session.commit()
    return app


@pytest.fixture(scope="session")
def live_server(live_app):
    server = LiveServer(live_app).start()
    live_app.config["BASE_URL"] = server.url
    yield server
    server.stop()


@pytest.fixture(scope="session")
def playwright_instance():
    from playwright.sync_api import sync_playwright

    # In the shifted-clock runs (`faketime`, which preloads libfaketime into every process), the
    # Playwright driver and Chromium start without it: their timers hang under it. The browser
    # need not share the server's shifted date (the desk reads the server's clock), and the app,
    # its servers and jobs stay shifted: the preload is back once the driver has started.
    unshifted = {"LD_PRELOAD": os.environ.pop("LD_PRELOAD")} if "FAKETIME" in os.environ and "LD_PRELOAD" in os.environ else {}
    manager = sync_playwright()
    try:
        playwright = manager.start()
    finally:
        os.environ.update(unshifted)
    yield playwright
    playwright.stop()


@pytest.fixture(scope="session")
def browser(playwright_instance):
    if not os.path.exists(CHROMIUM):
        pytest.fail("Chromium is missing: `make test` installs it (scripts/install-system-deps.sh)")
    browser = playwright_instance.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(viewport=DESKTOP, base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def phone_page(browser, live_server):
    context = browser.new_context(viewport=PHONE, base_url=live_server.url, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture(scope="session")
def screenshots_dir() -> Path:
    target = screenshots_target()
    target.mkdir(parents=True, exist_ok=True)
    return target


DEMO_PASSWORD = "demo-password-2026"


def login_in_browser(page, email: str, password: str = DEMO_PASSWORD) -> None:
    page.goto("/account/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/manage/**")
