"""Reverse missions: guests, agenda planning with live warnings, itineraries."""

from flask import Blueprint

bp = Blueprint("missions", __name__, url_prefix="/missions")

from webapp.missions import guest_routes, item_routes, routes  # noqa: E402, F401 - their views join bp
