"""confapp: run convenings end to end."""
from __future__ import annotations

import importlib
import logging
import pkgutil

from flask import Flask

from .config import Config, config_from_environment

# Every domain package; each may have models, a blueprint (`bp` in blueprint.py, routes in
# views*.py), cli (a `cli` group) and demo data. Adding a domain means adding its name here.
DOMAINS = (
    "accounts",
    "events",
    "audit",
    "program",
    "registration",
    "payments",
    "checkin",
    "online",
    "outreach",
    "reports",
    "webhooks",
    "api",
    "demo",
)


def optional_module(name: str):
    try:
        return importlib.import_module(f"confapp.{name}")
    except ModuleNotFoundError as error:
        if error.name == f"confapp.{name}":
            return None
        raise


def _view_modules(domain: str) -> list[str]:
    package = importlib.import_module(f"confapp.{domain}")
    return sorted(f"confapp.{domain}.{info.name}" for info in pkgutil.iter_modules(package.__path__)
                  if info.name == "views" or info.name.startswith("views_"))


def import_models() -> None:
    """Import every domain's models so the metadata is complete (Alembic, relationships)."""
    importlib.import_module("confapp.storage")  # stored files: a core table, no domain's
    for domain in DOMAINS:
        optional_module(f"{domain}.models")


def create_app(config: Config | None = None) -> Flask:
    from .config import PROJECT_ROOT

    config = config or config_from_environment()
    app = Flask(
        __name__,
        instance_path=config.INSTANCE_PATH,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    app.config.from_object(config)
    # A failing statement's parameters (names, emails) never reach an error message or the log.
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {"hide_parameters": True, **app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {})}
    from .cookies import SecureCookiesOverHttps

    app.wsgi_app = SecureCookiesOverHttps(app.wsgi_app)  # inside ProxyFix: it sees the forwarded scheme
    hops = app.config.get("PROXY_FIX_HOPS", 0)
    if hops:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)

    from .extensions import csrf, db, limiter, login_manager, mail, migrate
    from .jobs import install_session_hooks, use_app_factory

    use_app_factory(create_app)

    import_models()
    db.init_app(app)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        from .sqlite import configure_sqlite

        with app.app_context():
            configure_sqlite(db.engine)
    elif app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        from .db_locks import configure_postgresql

        with app.app_context():
            configure_postgresql(db.engine, app.config.get("DATABASE_LOCK_TIMEOUT", 3))
    from .config import PROJECT_ROOT as root

    migrate.init_app(app, db, directory=str(root / "migrations"), render_as_batch=True)
    mail.init_app(app)
    csrf.init_app(app)
    # Flask-Limiter skips its set-up entirely when disabled; set it up always, then apply the
    # switch, so that a test (or an operator's shell) can turn limiting on at run time.
    limiting = app.config.get("RATELIMIT_ENABLED", True)
    app.config["RATELIMIT_ENABLED"] = True
    limiter.init_app(app)
    limiter.enabled = limiting
    login_manager.init_app(app)
    from sqlalchemy.orm import Session

    install_session_hooks(Session)

    from .errors import register_error_handlers
    from .inputs import register_input_bounds
    from .security import register_security_headers
    from .templating import register_template_helpers

    register_error_handlers(app)
    register_input_bounds(app)
    register_security_headers(app)
    register_template_helpers(app)
    from .i18n import init_i18n

    init_i18n(app)

    for domain in DOMAINS:
        blueprint_module = optional_module(f"{domain}.blueprint")
        if blueprint_module is not None:
            # The domain's view modules (views.py, views_manage.py, ...) each add routes to the one
            # blueprint in blueprint.py; importing them all here is what keeps them apart.
            for view_module in _view_modules(domain):
                importlib.import_module(view_module)
            app.register_blueprint(blueprint_module.bp)
        cli = optional_module(f"{domain}.cli")
        if cli is not None and hasattr(cli, "cli"):
            app.cli.add_command(cli.cli)
        # Importing tasks registers the domain's background and periodic jobs with huey.
        optional_module(f"{domain}.tasks")

    @app.get("/healthz")
    def healthz():
        """For load balancers and the baseline benchmark: the process answers, no database work."""
        return {"status": "ok"}

    @app.get("/readyz")
    def readyz():
        """For load balancers: the database (and Redis, when configured) answer. Says nothing more."""
        from .health import unready_parts

        if unready_parts(app):
            return {"status": "unavailable"}, 503, {"Cache-Control": "no-store"}
        return {"status": "ready"}, 200, {"Cache-Control": "no-store"}

    @app.teardown_appcontext
    def _remove_session(exc):
        db.session.remove()

    return app
