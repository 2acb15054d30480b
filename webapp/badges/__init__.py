"""Name badges: printable PDFs for a person, a delegation, an audience or a whole forum."""

from flask import Blueprint

bp = Blueprint("badges", __name__)

from webapp.badges import routes  # noqa: E402, F401 - its views join the blueprint
