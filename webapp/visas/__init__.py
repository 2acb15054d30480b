"""Visa invitation letters: passport details on the registration page, letters issued by
the secretariat or the host region's coordinator, and a public page that verifies them."""

from flask import Blueprint

bp = Blueprint("visas", __name__)

from webapp.visas import (  # noqa: E402, F401 - views join the blueprint; data sections
    person_routes,
    personal_data,
    routes,
)
