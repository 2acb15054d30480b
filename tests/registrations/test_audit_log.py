"""The audit log reads as words and says what changed, before → after."""

from __future__ import annotations

import sqlalchemy as sa

from tests.registrations.helpers import person
from webapp.auth.audit import action_words
from webapp.extensions import db
from webapp.models import AuditEntry, Role
from webapp.participation.policy import RuleKey, RuleSettings
from webapp.participation.services import load_policy, save_policy
from webapp.registrations.quotas import get_or_create_delegation
from webapp.registrations.services import register_person


def summary_of(action: str) -> str:
    """The latest entry's summary for an action."""
    return db.session.scalars(sa.select(AuditEntry.summary).where(AuditEntry.action == action)
                              .order_by(AuditEntry.id.desc())).first()


def test_actions_are_shown_in_words(make_forum, make_region, make_user, client, auth):
    """'Delegate added' in the table and the filter, not `delegation.delegate_added`;
    a self-service entry's 'who' is the person, not 'system'."""
    forum = make_forum()
    region = make_region("Scotland", slug="scotland")
    auth.login(make_user(Role.COORDINATOR, region=region))
    client.post(f"/events/{forum.id}/delegations/scotland",
                data={"full_name": "Ian", "email": "ian@example.org"})
    auth.logout()
    client.post(f"/events/{forum.id}/register",
                data={"full_name": "Ann", "email": "ann@example.org", "audience": "guest"})
    auth.login(make_user(Role.SECRETARIAT))
    html = client.get("/admin/audit").get_data(as_text=True)
    assert "delegation.delegate_added</" not in html and "<code>" not in html
    assert '<td data-label="Action">Delegate added</td>' in html
    assert '<option value="delegation.delegate_added" >Delegate added</option>' in html
    assert '<td data-label="Who">the person (no account)</td>' in html
    assert "Registered through the public form" in html


def test_unlisted_actions_still_read_as_words():
    """A code without wording of its own is not shown raw."""
    assert action_words("forum.doors_opened") == "Forum doors opened"
    assert action_words("registration.promoted") == "Moved up from the waitlist"


def test_delegate_edit_says_before_and_after(make_forum, make_region, make_user, client, auth):
    """Before: 'changed job title, head of delegation'. Now: the values on both sides."""
    forum = make_forum()
    region = make_region("Scotland", slug="scotland")
    delegate = register_person(forum, person(1, full_name="Jon Smiht"), "international",
                               delegation=get_or_create_delegation(forum, region))
    db.session.commit()
    auth.login(make_user(Role.COORDINATOR, region=region))
    client.post(f"/delegates/{delegate.id}/edit", data={
        "full_name": "Jon Smith", "job_title": "Director", "is_head": "y"})
    summary = summary_of("delegation.delegate_edited")
    assert "full name “Jon Smiht” → “Jon Smith”" in summary
    assert "job title “—” → “Director”" in summary
    assert "head of delegation: no → yes" in summary


def test_forum_setup_and_quotas_say_before_and_after(make_forum, make_region, make_user,
                                                     client, auth):
    """Before: 'Updated the set-up of …', 'Delegation quotas … updated'. Now: each change."""
    forum = make_forum({"guest": 5}, quota=2, place="Aarhus")
    catalonia = make_region("Catalonia")
    auth.login(make_user(Role.SECRETARIAT))
    data = {"title": forum.title, "place": "Herning", "timezone": forum.timezone,
            "starts_local": "2030-05-07T09:00", "ends_local": "2030-05-09T17:00",
            "default_quota": "2",
            "capacities-0-audience": "guest", "capacities-0-label": "Guests",
            "capacities-0-capacity": "8"}
    assert client.post(f"/events/{forum.id}/setup", data=data).status_code == 302
    summary = summary_of("forum.updated")
    assert "place “Aarhus” → “Herning”" in summary
    assert "“guest” seats “5” → “8”" in summary
    assert "title" not in summary.split(": ", 1)[1]  # unchanged fields are left out
    client.post(f"/events/{forum.id}/quotas", data={f"quota-{catalonia.id}": "4"})
    assert "Catalonia default (2) → 4" in summary_of("forum.quotas_updated")


def test_policy_change_says_before_and_after(app):
    """A threshold moved: 'missed at least 2 → 3' beside the rule as it now reads."""
    rule = next(s for s in load_policy() if s.key is RuleKey.MISSED_FORUMS)
    save_policy(None, [RuleSettings(rule.key, rule.enabled, missed_at_least=3,
                                    of_last_forums=rule.of_last_forums)])
    summary = summary_of("policy.changed")
    assert f"missed at least {rule.missed_at_least} → 3" in summary
    assert "Now: on." in summary
