"""Configuration read from the environment, with safe defaults for the embedded mode.

Embedded mode (no environment at all): SQLite and a SqliteHuey queue in the instance
folder, a generated SECRET_KEY persisted there, mail to a local catcher on port 8025.
Production: DATABASE_URL (PostgreSQL), REDIS_URL, SECRET_KEY from the environment.
"""
from __future__ import annotations

import os
import secrets
import tempfile
from pathlib import Path

from flask import current_app

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_INSTANCE = PROJECT_ROOT / "instance"


def instance_path() -> Path:
    path = Path(os.environ.get("CONFAPP_INSTANCE", DEFAULT_INSTANCE))
    path.mkdir(parents=True, exist_ok=True)
    return path


def normalise_database_url(url: str) -> str:
    """Accept the URLs hosting providers hand out and use the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _persisted_secret_key(folder: Path) -> str:
    """The instance's generated key. Several workers may start at once on a fresh instance:
    the key is written to a private temporary file and linked into place, which fails if
    another process won, so every process ends up reading the same complete key."""
    key_file = folder / "secret_key"
    if not key_file.exists():
        fd, temporary = tempfile.mkstemp(dir=folder, prefix=".secret_key.")
        try:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_hex(32))
            os.chmod(temporary, 0o600)
            try:
                os.link(temporary, key_file)
            except FileExistsError:
                pass
        finally:
            os.unlink(temporary)
    return key_file.read_text().strip()


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


class Config:
    TESTING = False
    PRODUCTION = False

    def __init__(self) -> None:
        folder = instance_path()
        self.INSTANCE_PATH = str(folder)
        self.SECRET_KEY = os.environ.get("SECRET_KEY") or self._fallback_secret_key(folder)
        # Rotating SECRET_KEY: the old key(s), comma-separated, still open sessions (Flask) and sealed secrets.
        self.SECRET_KEY_FALLBACKS = [key for key in os.environ.get("SECRET_KEY_FALLBACKS", "").split(",") if key]
        database_url = os.environ.get("DATABASE_URL")
        self.SQLALCHEMY_DATABASE_URI = (
            normalise_database_url(database_url) if database_url else f"sqlite:///{folder / 'confapp.db'}"
        )
        self.SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
        # PostgreSQL: seconds a statement waits for a row lock before the request answers "busy,
        # please try again" (confapp/db_locks.py). 0 waits forever.
        self.DATABASE_LOCK_TIMEOUT = float(os.environ.get("DATABASE_LOCK_TIMEOUT", "3"))
        self.REDIS_URL = os.environ.get("REDIS_URL")
        self.RATELIMIT_STORAGE_URI = self.REDIS_URL or "memory://"
        self.RATELIMIT_ENABLED = _bool("RATELIMIT_ENABLED", True)
        self.RATELIMIT_HEADERS_ENABLED = True
        self.LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "10 per minute;50 per hour")
        # Per API token (not per address: integrations often share a host); Flask-Limiter's storage.
        self.API_RATE_LIMIT = os.environ.get("API_RATE_LIMIT", "300 per minute")
        self.MAIL_SERVER = os.environ.get("MAIL_SERVER", "127.0.0.1")
        self.MAIL_PORT = int(os.environ.get("MAIL_PORT", "8025"))
        self.MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
        self.MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
        self.MAIL_USE_TLS = _bool("MAIL_USE_TLS", False)
        self.MAIL_USE_SSL = _bool("MAIL_USE_SSL", False)
        self.MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "confapp <no-reply@confapp.localhost>")
        self.MAIL_SUPPRESS_SEND = False
        self.SERVER_NAME = os.environ.get("SERVER_NAME")
        self.PREFERRED_URL_SCHEME = os.environ.get("PREFERRED_URL_SCHEME", "http")
        # External base URL for links in emails sent from background jobs.
        self.BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:5000")
        # Number of reverse proxies in front of the app whose X-Forwarded-* headers are trusted
        # (client address for rate limiting, https scheme for links). 0 trusts none.
        self.PROXY_FIX_HOPS = int(os.environ.get("PROXY_FIX_HOPS", "0"))
        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        self.SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", self.PRODUCTION)
        self.REMEMBER_COOKIE_HTTPONLY = True
        self.REMEMBER_COOKIE_SAMESITE = "Lax"
        self.REMEMBER_COOKIE_SECURE = self.SESSION_COOKIE_SECURE
        self.WTF_CSRF_TIME_LIMIT = None  # tie tokens to the session, not a clock: long forms stay valid
        # The largest request body accepted (uploads included); larger ones get a 413 page.
        self.MAX_CONTENT_LENGTH = int(os.environ.get("MAX_CONTENT_LENGTH", str(12 * 1024 * 1024)))
        # Each non-file form field, and the number of fields: a form never needs more.
        self.MAX_FORM_MEMORY_SIZE = int(os.environ.get("MAX_FORM_MEMORY_SIZE", str(500 * 1024)))
        self.MAX_FORM_PARTS = int(os.environ.get("MAX_FORM_PARTS", "1000"))
        # werkzeug's scrypt defaults (N=32768): about a tenth of a second per login, by design.
        self.PASSWORD_HASH_METHOD = "scrypt"
        self.PASSWORD_RESET_MAX_AGE = 60 * 60 * 2
        self.INVITATION_MAX_AGE = 60 * 60 * 24 * 14
        self.SIGNUP_MAX_AGE = 60 * 60 * 24 * 2  # the "finish creating your account" link
        self.SPEAKER_LINK_MAX_AGE = int(os.environ.get("SPEAKER_LINK_MAX_AGE", str(60 * 60 * 24 * 60)))
        self.STRIPE_SECRET_KEY = os.environ.get("STRIPE_SECRET_KEY", "")
        self.STRIPE_WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET", "")
        self.STRIPE_API_BASE = os.environ.get("STRIPE_API_BASE")
        # Seconds the organiser's dashboard reuses computed report figures (confapp/reports/cache.py).
        self.REPORTS_FIGURES_MAX_AGE = float(os.environ.get("REPORTS_FIGURES_MAX_AGE", "60"))
        # Sign-ups, registrations and survey answers per client address (Flask-Limiter syntax).
        self.REGISTRATION_RATE_LIMIT = os.environ.get("REGISTRATION_RATE_LIMIT", "40 per minute;400 per hour")
        # All attachments of one organiser's message together.
        self.OUTREACH_MAX_ATTACHMENT_BYTES = int(os.environ.get("OUTREACH_MAX_ATTACHMENT_BYTES", str(5 * 1024 * 1024)))
        # Webhook URLs on loopback or private networks are refused unless this is set (tests, or an
        # intranet receiver an operator trusts): confapp/webhooks/destinations.py.
        self.WEBHOOKS_ALLOW_PRIVATE_URLS = os.environ.get("WEBHOOKS_ALLOW_PRIVATE_URLS", "")

    def _fallback_secret_key(self, folder: Path) -> str:
        return _persisted_secret_key(folder)


class ProductionConfig(Config):
    PRODUCTION = True

    def _fallback_secret_key(self, folder: Path) -> str:
        raise RuntimeError("SECRET_KEY must be set in the environment in production (CONFAPP_ENV=production).")


class TestConfig(Config):
    TESTING = True

    def __init__(self) -> None:
        super().__init__()
        self.SECRET_KEY = "test-secret-key"
        # Weak on purpose and only here: hashing dominates the run time of tests that create users.
        self.PASSWORD_HASH_METHOD = "scrypt:1024:8:1"
        self.WTF_CSRF_ENABLED = False
        self.RATELIMIT_ENABLED = False
        self.RATELIMIT_STORAGE_URI = "memory://"
        self.SERVER_NAME = None


def config_from_environment() -> Config:
    env = os.environ.get("CONFAPP_ENV", "development").lower()
    if env == "production":
        return ProductionConfig()
    return Config()


def setting(name: str, default):
    """A worker/tuning setting at run time: the app config, else the environment, else `default`.

    The environment is consulted because worker processes started by a deployment (or a
    test) tune leases and retries there without building a config of their own.
    """
    return current_app.config.get(name, os.environ.get(name, default))
