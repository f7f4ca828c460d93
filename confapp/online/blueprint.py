"""The online blueprint: organiser pages under /manage/<slug>/online and the join links /j/<token>.
Every view module adds its routes here and the application factory imports them all."""
from flask import Blueprint

bp = Blueprint("online", __name__)
