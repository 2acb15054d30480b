"""Whom a message goes to: a small registry of named selections, each a SQL condition on
the registrations (or a mission's guests) of one event.

A new selection is one `register_selection(Selection(...))` call: a name (kept on the sent
message, never renamed), a label, its scope, the condition, and for a selection that takes
an argument (an audience, a region, later a question's answer) the choices it offers. The
compose form lists every selection of its scope, each choice as its own option."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import aliased

from webapp.extensions import db
from webapp.models import (
    Delegation,
    Event,
    GuestStatus,
    MessageScope,
    MissionGuest,
    Person,
    Question,
    QuestionKind,
    Region,
    Registration,
    RegistrationStatus,
)
from webapp.questions.answers import registrations_answering

# The region of a delegate's delegation: the recipients' query joins it under this name, so
# conditions may use it.
DelegationRegion = aliased(Region, name="message_delegation_region")
Condition = Callable[[Event, str | None], sa.ColumnElement[bool]]
Choices = Callable[[Event], list[tuple[str, str]]]


@dataclass(frozen=True)
class Selection:
    """One named way to pick recipients from an event's registrations or guests."""

    name: str
    scope: MessageScope
    label: str  # a lazy string: in the language of the page that shows it
    condition: Condition
    # Argument value → its words, for selections that take one (None: no argument).
    choices: Choices | None = None

    def words(self, event: Event, argument: str | None) -> str:
        """'Audience: Guests' — the selection as the message list names it."""
        if self.choices is None:
            return self.label
        return f"{self.label}: {dict(self.choices(event)).get(argument or '', argument)}"


SELECTIONS: dict[str, Selection] = {}


def register_selection(selection: Selection) -> Selection:
    """Add a selection to the registry under its name (names are stored: never rename)."""
    if selection.name in SELECTIONS:
        raise ValueError(f"a selection named {selection.name!r} exists already")
    SELECTIONS[selection.name] = selection
    return selection


def selections_for(scope: MessageScope) -> list[Selection]:
    """The registry's selections of one scope, in the order they were added."""
    return [s for s in SELECTIONS.values() if s.scope is scope]


def options(event: Event, scope: MessageScope) -> list[tuple[str, str]]:
    """(form value, words) of every selection of the scope, one per choice for those that
    take an argument: 'audience:guest' → 'Audience: Guests'."""
    found = []
    for selection in selections_for(scope):
        if selection.choices is None:
            found.append((selection.name, selection.label))
        else:
            found.extend((f"{selection.name}:{value}", f"{selection.label}: {words}")
                         for value, words in selection.choices(event))
    return found


def parse_option(value: str, scope: MessageScope) -> tuple[Selection, str | None] | None:
    """A form value back as (selection, argument), or None when it names no selection of the
    scope (the form's choices decide whether the argument is one it offers)."""
    name, _sep, argument = value.partition(":")
    selection = SELECTIONS.get(name)
    if selection is None or selection.scope is not scope:
        return None
    return selection, (argument if selection.choices is not None else None)


@dataclass(frozen=True)
class Recipient:
    """Someone a selection picked: their person, registration or guest row, name, address."""

    person_id: int
    registration_id: int | None
    guest_id: int | None
    name: str
    email: str | None


def recipients(event: Event, selection: Selection, argument: str | None) -> list[Recipient]:
    """Everyone the selection picks at this event, by name, each person once (one query)."""
    condition = selection.condition(event, argument)
    if selection.scope is MessageScope.REGISTRATIONS:
        query = (
            sa.select(Person.id, Registration.id, sa.null(), Registration.name, Person.email)
            .select_from(Registration)
            .join(Person, Registration.person_id == Person.id)
            .outerjoin(Delegation, Registration.delegation_id == Delegation.id)
            .outerjoin(DelegationRegion, Delegation.region_id == DelegationRegion.id)
            .where(Registration.event_id == event.id, condition)
            .order_by(Registration.name, Registration.id)
        )
    else:
        query = (
            sa.select(Person.id, sa.null(), MissionGuest.id, Person.full_name, Person.email)
            .select_from(MissionGuest)
            .join(Person, MissionGuest.person_id == Person.id)
            .where(MissionGuest.event_id == event.id, condition)
            .order_by(Person.full_name, MissionGuest.id)
        )
    found: dict[int, Recipient] = {}
    for person_id, registration_id, guest_id, name, email in db.session.execute(query):
        found.setdefault(person_id, Recipient(person_id, registration_id, guest_id, name, email))
    return list(found.values())


# --- the registrations of a forum --------------------------------------------------------

_confirmed = Registration.status == RegistrationStatus.CONFIRMED
_active = Registration.status != RegistrationStatus.CANCELLED


def _audiences(event: Event) -> list[tuple[str, str]]:
    """The event's audiences and their labels."""
    return [(capacity.audience, capacity.label) for capacity in event.capacities]


def _delegations(event: Event) -> list[tuple[str, str]]:
    """The regions that have a delegation at the event (slug, name), in one query."""
    return [tuple(row) for row in db.session.execute(
        sa.select(Region.slug, Region.name).join(Delegation, Delegation.region_id == Region.id)
        .where(Delegation.event_id == event.id).order_by(Region.name))]


register_selection(Selection(
    "confirmed", MessageScope.REGISTRATIONS, _l("Everyone confirmed"), lambda e, a: _confirmed))
register_selection(Selection(
    "audience", MessageScope.REGISTRATIONS, _l("Confirmed in the audience"),
    lambda e, a: sa.and_(_confirmed, Registration.audience == a), _audiences))
register_selection(Selection(
    "delegation", MessageScope.REGISTRATIONS, _l("The delegation of"),
    lambda e, a: sa.and_(_active, DelegationRegion.slug == a), _delegations))
register_selection(Selection(
    "heads", MessageScope.REGISTRATIONS, _l("Heads of delegation"),
    lambda e, a: sa.and_(_active, Registration.is_head_of_delegation.is_(True))))
register_selection(Selection(
    "waitlisted", MessageScope.REGISTRATIONS, _l("Everyone on the waitlist"),
    lambda e, a: Registration.status == RegistrationStatus.WAITLISTED))
register_selection(Selection(
    "checked_in", MessageScope.REGISTRATIONS, _l("Checked in"),
    lambda e, a: sa.and_(_active, Registration.checked_in_at.is_not(None))))
register_selection(Selection(
    "not_checked_in", MessageScope.REGISTRATIONS, _l("Confirmed, not checked in"),
    lambda e, a: sa.and_(_confirmed, Registration.checked_in_at.is_(None))))



def _answers(event: Event) -> list[tuple[str, str]]:
    """'<question id>=<choice>' for each choice of the forum's questions (yes/no too), and
    '<question id>=' (answered at all) for the others; retired questions included, their
    answers are kept (one query)."""
    found = []
    for question in db.session.scalars(
            sa.select(Question).where(Question.event_id == event.id)
            .order_by(Question.position, Question.id)):
        if question.kind is QuestionKind.YES_NO:
            values = [("yes", _l("Yes")), ("no", _l("No"))]
        elif question.kind.has_choices:
            values = [(choice, choice) for choice in question.choice_list]
        else:
            values = [("", _l("answered"))]
        found += [(f"{question.id}={value}", f"{question.label} — {words}")
                  for value, words in values]
    return found


def _answered(event: Event, argument: str | None) -> sa.ColumnElement[bool]:
    """Active registrations whose answer to the question is the value (any answer when the
    value is empty)."""
    question_id, _sep, value = (argument or "").partition("=")
    if not question_id.isdigit():
        return sa.false()
    return sa.and_(_active, Registration.id.in_(
        registrations_answering(int(question_id), value or None)))


register_selection(Selection(
    "answered", MessageScope.REGISTRATIONS, _l("Those who answered"), _answered, _answers))

# --- the guests of a reverse mission -----------------------------------------------------

register_selection(Selection(
    "guests", MessageScope.GUESTS, _l("Every guest planned for (invited or accepted)"),
    lambda e, a: MissionGuest.status != GuestStatus.DECLINED))
register_selection(Selection(
    "guests_accepted", MessageScope.GUESTS, _l("Guests who accepted"),
    lambda e, a: MissionGuest.status == GuestStatus.ACCEPTED))
register_selection(Selection(
    "guests_unanswered", MessageScope.GUESTS, _l("Guests who have not answered yet"),
    lambda e, a: MissionGuest.status == GuestStatus.INVITED))
