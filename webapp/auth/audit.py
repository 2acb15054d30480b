"""The audit log in words: entries store a stable code ('delegation.delegate_added', filtered
on and tested against) that people read as 'Delegate added'; and what changed, before →
after, worded the same way everywhere."""

from __future__ import annotations

from datetime import UTC, datetime

LONGEST_VALUE = 80  # a changed description is named, not copied whole

ACTION_WORDS = {
    "user.invited": "Account invited",
    "user.invitation_accepted": "Invitation accepted",
    "user.password_reset": "Password reset",
    "user.password_changed": "Password changed",
    "user.role_changed": "Role changed",
    "user.status_changed": "Account activated or deactivated",
    "forum.created": "Forum created",
    "forum.updated": "Forum set-up changed",
    "forum.quotas_updated": "Delegation quotas changed",
    "delegation.delegate_added": "Delegate added",
    "delegation.delegate_edited": "Delegate's details changed",
    "delegation.delegate_substituted": "Delegate replaced",
    "delegation.delegate_withdrawn": "Delegate withdrawn",
    "delegation.imported": "Delegates imported",
    "registration.public": "Registered through the public form",
    "registration.cancelled": "Registration cancelled by the secretariat",
    "registration.self_cancelled": "Registration cancelled by the person",
    "registration.promoted": "Moved up from the waitlist",
    "registration.answers_changed": "Answers changed by the person",
    "registration.language_changed": "Language changed by the person",
    "question.added": "Registration question added",
    "question.changed": "Registration question changed",
    "question.moved": "Registration question moved",
    "question.retired": "Registration question retired",
    "question.restored": "Registration question asked again",
    "question.deleted": "Registration question deleted",
    "checkin.checked_in": "Checked in",
    "checkin.undone": "Check-in undone",
    "visa.passport_details": "Passport details given for a visa letter",
    "visa.letter_issued": "Visa invitation letter issued",
    "door_staff.added": "Door staff added to a forum",
    "door_staff.removed": "Door staff removed from a forum",
    "calendar.feed_reset": "Personal calendar address reset",
    "mission.created": "Reverse mission created",
    "mission.updated": "Reverse mission changed",
    "guest.invited": "Guest invited",
    "mission.guest_recorded": "Guest's answer recorded by an organiser",
    "mission.guest_answered": "Guest answered through their link",
    "agenda.item_added": "Agenda item added",
    "agenda.item_changed": "Agenda item changed",
    "agenda.item_cancelled": "Agenda item cancelled",
    "fee.created": "Annual fees added",
    "fee.paid": "Fee marked paid",
    "fee.unpaid": "Fee marked unpaid",
    "policy.changed": "Engagement rule changed",
    "region.decided_to_apply": "Region decided to apply",
    "region.applied": "Region applied",
    "region.admitted": "Region admitted",
    "region.representatives_appointed": "Representatives appointed",
    "region.warned": "Region warned",
    "region.excluded": "Region excluded",
    "region.readmitted": "Region readmitted",
    "region.left": "Region left the network",
    "message.sent": "Message sent to attendees or guests",
    "privacy.exported": "Personal data exported",
    "privacy.consent_changed": "Consent given or withdrawn",
    "privacy.erasure_requested": "Erasure of personal data requested",
    "privacy.erased": "Personal data erased on request",
    "privacy.erasure_refused": "Erasure request refused",
    "privacy.retention_erased": "Personal data anonymised after the retention period",
    "privacy.retention_sweep": "Retention sweep run",
    "privacy.notice_changed": "Privacy notice changed",
}


def action_words(action: str) -> str:
    """'delegation.delegate_added' → 'Delegate added'; a code not listed (yet) is still
    read as words: 'forum.doors_opened' → 'Forum doors opened'."""
    if action in ACTION_WORDS:
        return ACTION_WORDS[action]
    return action.replace(".", " ").replace("_", " ").strip().capitalize()


# Done without an account, by the person themselves through a form or a signed link.
SELF_SERVICE = {"registration.public", "registration.self_cancelled", "calendar.feed_reset",
                "registration.answers_changed", "registration.language_changed",
                "privacy.exported", "privacy.consent_changed", "privacy.erasure_requested",
                "visa.passport_details"}


def actor_words(entry) -> str:
    """Who did it: the account's email, 'the person (no account)', or 'the system'."""
    if entry.actor is not None:
        return entry.actor.email
    return "the person (no account)" if entry.action in SELF_SERVICE else "the system"


def quoted(value: object) -> str:
    """A value as the log shows it: “Aarhus”, “2030-05-07 07:00 UTC”, or “—” for none."""
    if value is None or value == "":
        return "“—”"
    if isinstance(value, datetime):
        value = value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    if isinstance(value, bool):
        value = "yes" if value else "no"
    text = " ".join(str(getattr(value, "value", value)).split())
    return f"“{text[:LONGEST_VALUE]}…”" if len(text) > LONGEST_VALUE else f"“{text}”"


def changes_between(before: dict[str, object], after: dict[str, object]) -> list[str]:
    """What differs, in words: 'place “Aarhus” → “Herning”' (keys in their order; '_' in a
    key reads as a space)."""
    keys = [*before, *(key for key in after if key not in before)]
    return [f"{key.replace('_', ' ')} {quoted(before.get(key))} → {quoted(after.get(key))}"
            for key in keys if before.get(key) != after.get(key)]
