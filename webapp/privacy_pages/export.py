"""A person's export as the pages serve it: JSON to download, and the same as a page."""

from __future__ import annotations

import json

from flask import Response
from flask_babel import gettext as _

from webapp.auth.services import record_audit
from webapp.clock import now
from webapp.models import Person, User
from webapp.privacy.registry import collect_export

FORMAT_WORDS = {"json": "downloaded as JSON", "page": "viewed as a page"}


def export_data(person: Person) -> dict:
    """Everything held about the person, section by section."""
    return {"generated_at": now().isoformat(), "person_id": person.id,
            "sections": {section.key: {"title": section.title, "data": data}
                         for section, data in collect_export(person)}}


def audit_export(person: Person, how: str, via: str, actor: User | None = None) -> None:
    """Every export is in the audit log (without the data it held)."""
    target = person if person.id is not None else _Account()
    record_audit(actor, "privacy.exported", target,
                 f"Person #{person.id or '(account only)'}: personal data {FORMAT_WORDS[how]} "
                 f"through {via}")


class _Account:
    """The audit target of an export by an account with no person record."""

    __tablename__ = "user_account"
    id = None


def json_response(person: Person) -> Response:
    """The export as a JSON file to download."""
    body = json.dumps(export_data(person), ensure_ascii=False, indent=2, default=str)
    return Response(body, mimetype="application/json", headers={
        "Content-Disposition": 'attachment; filename="my-personal-data.json"',
        "Cache-Control": "no-store"})


def labelled(key: str) -> str:
    """'event_starts_at' → 'Event starts at'."""
    return key.replace("_", " ").capitalize()


def shown(value) -> str:
    """A value as the page shows it."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return str(value)
