"""A registration's status in the page's language (the model's English words stay for the
audit log, the exports and the data export)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from webapp.models import Registration, RegistrationStatus

# In a sentence: "Ana added (waitlisted)."
STATUS_WORDS = {RegistrationStatus.CONFIRMED: _l("confirmed"),
                RegistrationStatus.WAITLISTED: _l("waitlisted"),
                RegistrationStatus.CANCELLED: _l("cancelled")}
# On its own, as Registration.status_label gives it in English.
STATUS_LABELS = {"Confirmed": _l("Confirmed"), "Waitlisted": _l("Waitlisted"),
                 "Cancelled": _l("Cancelled"), "Withdrawn": _l("Withdrawn")}


def status_label(registration: Registration) -> str:
    """'Confirmed', 'Waitlisted', 'Cancelled' or 'Withdrawn', translated."""
    label = registration.status_label
    return str(STATUS_LABELS.get(label, label))
