"""Every setting the code reads is defined in Config, with a documented default and read
from the environment where an operator would set it."""
from __future__ import annotations

import re
from pathlib import Path

from confapp.config import Config

ROOT = Path(__file__).resolve().parents[3] / "confapp"
# Flask's, its extensions' and Werkzeug's own settings, which they define themselves.
FRAMEWORK = re.compile(r"^(DEBUG|TESTING|SECRET_KEY|SERVER_NAME|PREFERRED_URL_SCHEME|SESSION_|REMEMBER_COOKIE_|WTF_|"
                       r"RATELIMIT_|SQLALCHEMY_|MAIL_|MAX_CONTENT_LENGTH|MAX_FORM_)")


def _settings_read() -> set[str]:
    names = set()
    for path in ROOT.rglob("*.py"):
        names |= set(re.findall(r"""config(?:\.get\(|\[)["']([A-Z][A-Z0-9_]+)["']""", path.read_text()))
    return names


def test_every_setting_the_code_reads_is_defined_in_config(monkeypatch, tmp_path):
    monkeypatch.setenv("CONFAPP_INSTANCE", str(tmp_path))
    defined = set(vars(Config())) | {name for name in dir(Config) if name.isupper()}
    missing = sorted(name for name in _settings_read() - defined if not FRAMEWORK.match(name))
    assert missing == []


def test_limits_come_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("CONFAPP_INSTANCE", str(tmp_path))
    monkeypatch.delenv("OUTREACH_MAX_ATTACHMENT_BYTES", raising=False)
    monkeypatch.delenv("REGISTRATION_RATE_LIMIT", raising=False)
    config = Config()
    assert config.OUTREACH_MAX_ATTACHMENT_BYTES == 5 * 1024 * 1024
    assert config.REGISTRATION_RATE_LIMIT == "40 per minute;400 per hour"
    monkeypatch.setenv("OUTREACH_MAX_ATTACHMENT_BYTES", "1000")
    monkeypatch.setenv("REGISTRATION_RATE_LIMIT", "5 per minute")
    monkeypatch.setenv("SPEAKER_LINK_MAX_AGE", "3600")
    config = Config()
    assert config.OUTREACH_MAX_ATTACHMENT_BYTES == 1000 and config.REGISTRATION_RATE_LIMIT == "5 per minute"
    assert config.SPEAKER_LINK_MAX_AGE == 3600
