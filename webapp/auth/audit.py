"""The audit log in words: entries store a stable code ('delegation.delegate_added', filtered
on and tested against) that people read as 'Delegate added'; and what changed, before →
after, worded the same way everywhere."""

from __future__ import annotations

from datetime import UTC, datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

LONGEST_VALUE = 80  # a changed description is named, not copied whole

ACTION_WORDS = {
    "user.invited": _l("Account invited"),
    "user.invitation_accepted": _l("Invitation accepted"),
    "user.password_reset": _l("Password reset"),
    "user.password_changed": _l("Password changed"),
    "user.role_changed": _l("Role changed"),
    "user.status_changed": _l("Account activated or deactivated"),
    "forum.created": _l("Forum created"),
    "forum.updated": _l("Forum set-up changed"),
    "forum.quotas_updated": _l("Delegation quotas changed"),
    "delegation.delegate_added": _l("Delegate added"),
    "delegation.delegate_edited": _l("Delegate's details changed"),
    "delegation.delegate_substituted": _l("Delegate replaced"),
    "delegation.delegate_withdrawn": _l("Delegate withdrawn"),
    "delegation.imported": _l("Delegates imported"),
    "registration.public": _l("Registered through the public form"),
    "registration.cancelled": _l("Registration cancelled by the secretariat"),
    "registration.self_cancelled": _l("Registration cancelled by the person"),
    "registration.promoted": _l("Moved up from the waitlist"),
    "registration.answers_changed": _l("Answers changed by the person"),
    "registration.language_changed": _l("Language changed by the person"),
    "question.added": _l("Registration question added"),
    "question.changed": _l("Registration question changed"),
    "question.moved": _l("Registration question moved"),
    "question.retired": _l("Registration question retired"),
    "question.restored": _l("Registration question asked again"),
    "question.deleted": _l("Registration question deleted"),
    "checkin.checked_in": _l("Checked in"),
    "checkin.undone": _l("Check-in undone"),
    "visa.passport_details": _l("Passport details given for a visa letter"),
    "visa.letter_issued": _l("Visa invitation letter issued"),
    "door_staff.added": _l("Door staff added to a forum"),
    "door_staff.removed": _l("Door staff removed from a forum"),
    "calendar.feed_reset": _l("Personal calendar address reset"),
    "mission.created": _l("Reverse mission created"),
    "mission.updated": _l("Reverse mission changed"),
    "guest.invited": _l("Guest invited"),
    "mission.guest_recorded": _l("Guest's answer recorded by an organiser"),
    "mission.guest_answered": _l("Guest answered through their link"),
    "agenda.item_added": _l("Agenda item added"),
    "agenda.item_changed": _l("Agenda item changed"),
    "agenda.item_cancelled": _l("Agenda item cancelled"),
    "fee.created": _l("Annual fees added"),
    "fee.paid": _l("Fee marked paid"),
    "fee.unpaid": _l("Fee marked unpaid"),
    "policy.changed": _l("Engagement rule changed"),
    "region.decided_to_apply": _l("Region decided to apply"),
    "region.applied": _l("Region applied"),
    "region.admitted": _l("Region admitted"),
    "region.representatives_appointed": _l("Representatives appointed"),
    "region.warned": _l("Region warned"),
    "region.excluded": _l("Region excluded"),
    "region.readmitted": _l("Region readmitted"),
    "region.left": _l("Region left the network"),
    "message.sent": _l("Message sent to attendees or guests"),
    "privacy.exported": _l("Personal data exported"),
    "privacy.consent_changed": _l("Consent given or withdrawn"),
    "privacy.erasure_requested": _l("Erasure of personal data requested"),
    "privacy.erased": _l("Personal data erased on request"),
    "privacy.erasure_refused": _l("Erasure request refused"),
    "privacy.retention_erased": _l("Personal data anonymised after the retention period"),
    "privacy.retention_sweep": _l("Retention sweep run"),
    "privacy.notice_changed": _l("Privacy notice changed"),
}


def action_words(action: str) -> str:
    """'delegation.delegate_added' → 'Delegate added'; a code not listed (yet) is still
    read as words: 'forum.doors_opened' → 'Forum doors opened'."""
    if action in ACTION_WORDS:
        return str(ACTION_WORDS[action])  # the page's language, now
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
    return _("the person (no account)") if entry.action in SELF_SERVICE else _("the system")


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
