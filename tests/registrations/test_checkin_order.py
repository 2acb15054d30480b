"""Check-in at the door: the person typed comes first, and each click is in the audit log."""

from __future__ import annotations

import sqlalchemy as sa

from tests.registrations.helpers import person
from webapp.extensions import db
from webapp.models import AuditEntry, Role
from webapp.registrations.services import register_person


def test_exact_matches_come_first_then_word_starts(make_forum, make_user, client, auth):
    """The very name first, then names with a word starting so, then the rest (before:
    alphabetical, so 'Bo' listed Abbot Bo and Bo Abbott before Bo)."""
    forum = make_forum({"guest": 40})
    names_typed = ["Abbot Bo", "Joanna Smith", "Ann Lee", "Ann", "Bo", "Bo Abbott", "Abbo"]
    for n, name in enumerate(names_typed):
        register_person(forum, person(n, full_name=name), "guest")
    db.session.commit()
    auth.login(make_user(Role.SECRETARIAT))

    def names(q: str) -> list[str]:
        html = client.get(f"/events/{forum.id}/checkin", query_string={"q": q}).get_data(
            as_text=True)
        return [part.split("</strong>")[0] for part in html.split("<strong>")[1:]]

    assert names("ann")[:3] == ["Ann", "Ann Lee", "Joanna Smith"]
    assert names("Bo") == ["Bo", "Abbot Bo", "Bo Abbott", "Abbo"]
    assert names("p1@example.org")[0] == "Joanna Smith"  # the very email


def test_each_check_in_and_undo_is_audited(make_forum, make_user, client, auth):
    """Checked in, then undone: two entries saying who and what; a repeated click, none."""
    forum = make_forum({"guest": 5})
    guest = register_person(forum, person(1, full_name="Ada Lovelace"), "guest")
    db.session.commit()
    auth.login(make_user(Role.SECRETARIAT))
    client.post(f"/checkin/{guest.id}", data={"action": "in"})
    client.post(f"/checkin/{guest.id}", data={"action": "in"})
    client.post(f"/checkin/{guest.id}", data={"action": "undo"})
    entries = db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id)).all()
    assert [e.action for e in entries] == ["checkin.checked_in", "checkin.undone"]
    assert "Ada Lovelace" in entries[0].summary and entries[0].actor_id is not None
