"""Configuration from the environment."""
from confapp.config import Config, normalise_database_url


def test_hosting_provider_database_urls_use_psycopg_3():
    assert normalise_database_url("postgres://u:p@db/x") == "postgresql+psycopg://u:p@db/x"
    assert normalise_database_url("postgresql://u@db/x") == "postgresql+psycopg://u@db/x"
    assert normalise_database_url("sqlite:////tmp/x.db") == "sqlite:////tmp/x.db"


def test_embedded_defaults_and_environment_overrides(monkeypatch, tmp_path):
    monkeypatch.setenv("CONFAPP_INSTANCE", str(tmp_path))
    for name in ("DATABASE_URL", "REDIS_URL", "MAIL_PORT", "PROXY_FIX_HOPS"):
        monkeypatch.delenv(name, raising=False)
    config = Config()
    assert config.SQLALCHEMY_DATABASE_URI == f"sqlite:///{tmp_path / 'confapp.db'}"
    assert config.RATELIMIT_STORAGE_URI == "memory://" and config.PROXY_FIX_HOPS == 0
    assert config.MAIL_PORT == 8025 and not config.SESSION_COOKIE_SECURE
    monkeypatch.setenv("DATABASE_URL", "postgres://confapp@db.internal/confapp")
    monkeypatch.setenv("MAIL_PORT", "587")
    config = Config()
    assert config.SQLALCHEMY_DATABASE_URI == "postgresql+psycopg://confapp@db.internal/confapp"
    assert config.MAIL_PORT == 587
