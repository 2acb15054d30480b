"""What the registration blueprints share: audience labels, and who may change what (their
records load through webapp/loaders.py)."""

from __future__ import annotations

from flask_login import current_user

from webapp.models import Event, utcnow
from webapp.registrations.quotas import open_to_the_public


def audience_labels(event: Event, *, one_person: bool = False) -> dict[str, str]:
    """audience key → label ('international' → 'International participants'; with
    one_person, the label of one of them: 'International participant')."""
    return {capacity.audience: singular_label(capacity.label) if one_person else capacity.label
            for capacity in event.capacities}


def singular_label(label: str) -> str:
    """The label of one person of an audience: 'International participants' →
    'International participant', 'Guests' → 'Guest'; a label that is not an English plural
    ('Press', 'Media') stays as typed."""
    head, _, last = label.strip().rpartition(" ")
    lower = last.lower()
    if lower in IRREGULAR_PLURALS:
        one = IRREGULAR_PLURALS[lower]
        last = one.capitalize() if last[:1].isupper() else one
    elif lower.endswith("ies") and len(lower) > 4:
        last = last[:-3] + ("Y" if last[-1].isupper() else "y")
    elif lower.endswith(("sses", "shes", "ches", "xes")):
        last = last[:-2]
    elif lower.endswith("s") and not lower.endswith(("ss", "us", "is")) and len(lower) > 3:
        last = last[:-1]
    return f"{head} {last}" if head else last


IRREGULAR_PLURALS = {"people": "person", "children": "child", "women": "woman", "men": "man"}


def public_choices(event: Event) -> list[tuple[str, str]]:
    """The audiences the public form offers, each with the label of one person."""
    return [(capacity.audience, singular_label(capacity.label)) for capacity in event.capacities
            if open_to_the_public(capacity.audience)]


def may_change_delegation(event: Event) -> bool:
    """The secretariat always; coordinators until the delegation deadline."""
    return current_user.is_secretariat or event.delegations_editable_by_coordinators(utcnow())
