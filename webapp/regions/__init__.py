"""Regions: the list with each region's status, and a region's page."""

from flask import Blueprint

bp = Blueprint("regions", __name__, url_prefix="/regions")

from webapp.regions import routes  # noqa: E402, F401 - its views join bp
