"""The API's two blueprints: `bp` for the organiser's token pages (server-rendered, like every
management page) and `v1`, the flask-smorest blueprint of /api/v1 whose marshmallow schemas
both validate requests and generate the OpenAPI document served at /api/v1/openapi.json.

flask-smorest is set up when `bp` is registered (create_app registers every domain's `bp`),
so the factory needs no API-specific line. Its own app-wide error handler is left out: the
app's handlers (confapp/errors.py) already answer JSON for /api/, in the one format.
"""
from __future__ import annotations

from flask import Blueprint
from flask_smorest import Api
from flask_smorest import Blueprint as ApiBlueprint

from ..extensions import csrf
from .schemas import ErrorSchema

bp = Blueprint("api", __name__)

# Token authentication, no cookies: the form CSRF check does not apply.
v1 = ApiBlueprint("api_v1", __name__, url_prefix="/api/v1",
                  description="Events, registrations and check-in for integrations.")
csrf.exempt(v1)

OPENAPI_SETTINGS = {
    "API_TITLE": "confapp API",
    "API_VERSION": "v1",
    "OPENAPI_VERSION": "3.1.0",
    "OPENAPI_URL_PREFIX": "/api/v1",
    "OPENAPI_JSON_PATH": "openapi.json",
    "API_SPEC_OPTIONS": {
        "security": [{"bearerAuth": []}],
        "components": {"securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}},
        "info": {"description": "Authenticate with an API token made on the event's API tokens page: "
                                "`Authorization: Bearer <token>`. Errors are JSON: "
                                "`{\"error\": {\"code\", \"message\", \"fields\"?}}`."},
    },
}


class ConfappApi(Api):
    """flask-smorest without its catch-all HTTPException handler, which would answer JSON for the
    HTML pages too; errors under /api/ are JSON through confapp.errors and v1's own handler."""

    ERROR_SCHEMA = ErrorSchema  # documents the one error format (confapp.errors.json_error)

    def _register_error_handlers(self):
        return None


def _set_up_api(state) -> None:
    app = state.app
    for key, value in OPENAPI_SETTINGS.items():
        app.config.setdefault(key, value)
    api = ConfappApi(app)
    api.register_blueprint(v1)


bp.record_once(_set_up_api)
