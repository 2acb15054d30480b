"""Accounts: sign-in, roles, invitations, password resets, user administration, audit log."""

from flask import Blueprint

bp = Blueprint("auth", __name__)

from webapp.auth import routes  # noqa: E402, F401 - its views join bp
