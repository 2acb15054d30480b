"""Pages of the site itself: home (each role's start page), health, error pages."""

from flask import Blueprint

bp = Blueprint("core", __name__)

from webapp.core import routes  # noqa: E402, F401 - its views join bp
