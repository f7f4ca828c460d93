"""The reports blueprint: every view module of the package adds its routes to it, and the
application factory imports them all, so view modules never import one another."""
from flask import Blueprint

bp = Blueprint("reports", __name__)
