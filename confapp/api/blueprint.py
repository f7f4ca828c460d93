"""The API's two blueprints: `bp` for the organiser's token pages (server-rendered, like every
management page) and `v1`, the flask-smorest blueprint of /api/v1 whose marshmallow schemas
both validate requests and generate the OpenAPI document served at /api/v1/openapi.json.

flask-smorest is set up when `bp` is registered (create_app registers every domain's `bp`),
so the factory needs no API-specific line. Its own app-wide error handler is left out: the
app's handlers (confapp/errors.py) already answer JSON for /api/, in the one format.
"""
from __future__ import annotations

import http

from flask import Blueprint
from flask_smorest import Api
from flask_smorest import Blueprint as ApiBlueprint

from ..extensions import csrf
from flask_smorest.utils import prepare_response

from ..errors import PROBLEM_CONTENT_TYPE
from .schemas import ProblemSchema

bp = Blueprint("api", __name__)

# Token authentication, no cookies: the form CSRF check does not apply.
v1 = ApiBlueprint("api_v1", __name__, url_prefix="/api/v1",
                  description="Events, registrations, check-in, programme, outreach and reports for integrations.")
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
                                "`Authorization: Bearer <token>`. Errors are RFC 9457 problems "
                                "(`application/problem+json`): `type`, `title`, `status`, `detail`, `code`, "
                                "and `errors` (by field) for validation."},
    },
}


class ConfappApi(Api):
    """flask-smorest without its catch-all HTTPException handler, which would answer JSON for the
    HTML pages too; errors under /api/ are problems through confapp.errors and v1's own handler."""

    ERROR_SCHEMA = ProblemSchema  # documents the one error format (confapp.errors.json_error)

    def _register_error_handlers(self):
        return None

    def _register_responses(self):
        """flask-smorest's default responses (the 422 of every `arguments`, DEFAULT_ERROR), with
        the problem's own media type instead of application/json."""
        for status in http.HTTPStatus:
            response = {"description": status.phrase}
            if not (100 <= status < 200) and status not in (204, 304):
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec, PROBLEM_CONTENT_TYPE)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "Default error response", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, PROBLEM_CONTENT_TYPE)
        self.spec.components.response("DEFAULT_ERROR", response, lazy=True)


def _set_up_api(state) -> None:
    app = state.app
    for key, value in OPENAPI_SETTINGS.items():
        app.config.setdefault(key, value)
    api = ConfappApi(app)
    api.register_blueprint(v1)


bp.record_once(_set_up_api)
