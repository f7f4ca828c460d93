"""The check-in blueprints: desk and organiser pages on `bp`, the desk's JSON calls on `api` (nested,
so its endpoints are `checkin.api.*`). Every view module adds its routes here and the application
factory imports them all, so view modules never import one another."""
from flask import Blueprint

bp = Blueprint("checkin", __name__)
api = Blueprint("api", __name__, url_prefix="/checkin/api")
bp.register_blueprint(api)
