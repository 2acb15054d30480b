"""Optional consents: explicit, off by default, kept per registration with their times.

A consent kind is a key and the sentence the person ticks; features that act on a consent
(a participants list showing names) ask `has_consent` / `consenting_registrations`."""

from __future__ import annotations

from collections.abc import Mapping

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from webapp.auth.services import record_audit
from webapp.extensions import db
from webapp.models import Consent, Registration, utcnow

# key -> the sentence the person ticks (what it allows, in their words, in their language)
CONSENT_KINDS: dict[str, str] = {
    "participants_list": _l("Show my name and organisation on the event's participants list"),
    "network_news": _l("Email me about the network's next forums and missions"),
}


def consent_label(kind: str) -> str:
    """The sentence of a consent kind (an unknown kind reads as its key)."""
    return str(CONSENT_KINDS.get(kind, kind.replace("_", " ")))


def field_name(kind: str) -> str:
    """The form field of a consent kind: 'consent_participants_list'."""
    return f"consent_{kind}"


def standing_consents(registration: Registration) -> set[str]:
    """The kinds the registration's person consents to now (one query)."""
    return set(db.session.scalars(sa.select(Consent.kind).where(
        Consent.registration_id == registration.id, Consent.withdrawn_at.is_(None))))


def has_consent(registration: Registration, kind: str) -> bool:
    """Whether the consent of `kind` stands for this registration."""
    return kind in standing_consents(registration)


def consenting_registrations(event_id: int, kind: str) -> sa.Select:
    """The ids of an event's registrations whose consent of `kind` stands (a subquery)."""
    return (sa.select(Consent.registration_id).join(Registration)
            .where(Registration.event_id == event_id, Consent.kind == kind,
                   Consent.withdrawn_at.is_(None)))


def ticked(form: Mapping[str, str]) -> set[str]:
    """The consent kinds ticked in a posted form (anything but a known kind is ignored)."""
    return {kind for kind in CONSENT_KINDS if form.get(field_name(kind)) in ("yes", "y", "on")}


def set_consents(registration: Registration, wanted: set[str], *, audit: bool = True) -> list[str]:
    """Give the consents in `wanted` and withdraw the others; returns what changed in words
    (in the page's language; the audit log's entry is in English)."""
    now = utcnow()
    standing = {c.kind: c for c in db.session.scalars(sa.select(Consent).where(
        Consent.registration_id == registration.id, Consent.withdrawn_at.is_(None)))}
    changed: list[tuple[bool, str]] = []  # (given, kind)
    for kind in CONSENT_KINDS:
        if kind in wanted and kind not in standing:
            db.session.add(Consent(person_id=registration.person_id,
                                   registration_id=registration.id, kind=kind, given_at=now))
            changed.append((True, kind))
        elif kind not in wanted and kind in standing:
            standing[kind].withdrawn_at = now
            changed.append((False, kind))
    if changed and audit:
        with force_locale("en"):
            words = "; ".join(_change_words(changed))
        # No name: the entry points at the registration, so it survives an erasure unchanged.
        record_audit(None, "privacy.consent_changed", registration,
                     f"Registration #{registration.id}: consent {words}")
    db.session.flush()
    return _change_words(changed)


def _change_words(changed: list[tuple[bool, str]]) -> list[str]:
    """Each change in words: 'given: Show my name …', 'withdrawn: …'."""
    return [_("given: %(consent)s", consent=consent_label(kind)) if given
            else _("withdrawn: %(consent)s", consent=consent_label(kind))
            for given, kind in changed]


def record_consents(registration: Registration, form: Mapping[str, str]) -> None:
    """The consents ticked on the public registration form, given with the registration."""
    set_consents(registration, ticked(form), audit=False)
