"""Registration questions a forum asks (dietary needs, a visa letter...) and the answers given.

A question with answers is never deleted, only retired: it is no longer asked, and its answers
stay on the attendee list and in the exports."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import db
from webapp.models.types import UTCDateTime, str_enum, utcnow

if TYPE_CHECKING:
    from webapp.models.event import Event


class QuestionKind(enum.StrEnum):
    """What kind of answer a question takes."""

    SHORT_TEXT = "short_text"
    LONG_TEXT = "long_text"
    ONE_CHOICE = "one_choice"
    SEVERAL_CHOICES = "several_choices"
    YES_NO = "yes_no"
    NUMBER = "number"

    @property
    def label(self) -> str:
        """Human wording: 'Several choices'."""
        return str(KIND_LABELS[self])

    @property
    def has_choices(self) -> bool:
        """One choice or several: the secretariat lists the choices."""
        return self in (QuestionKind.ONE_CHOICE, QuestionKind.SEVERAL_CHOICES)


KIND_LABELS = {
    QuestionKind.SHORT_TEXT: _l("Short text"), QuestionKind.LONG_TEXT: _l("Long text"),
    QuestionKind.ONE_CHOICE: _l("One choice"), QuestionKind.SEVERAL_CHOICES: _l("Several choices"),
    QuestionKind.YES_NO: _l("Yes or no"), QuestionKind.NUMBER: _l("Number"),
}


class QuestionAudience(enum.StrEnum):
    """Who is asked: people on the public form, delegates (form and CSV import), or both."""

    PUBLIC = "public"
    DELEGATES = "delegates"
    BOTH = "both"

    @property
    def label(self) -> str:
        """Human wording: 'Public form'."""
        return str(AUDIENCE_LABELS[self])


AUDIENCE_LABELS = {QuestionAudience.PUBLIC: _l("Public form"),
                   QuestionAudience.DELEGATES: _l("Delegates"),
                   QuestionAudience.BOTH: _l("Public form and delegates")}


class Question(db.Model):
    """One question of a forum's registration, in its place in the forum's order."""

    __tablename__ = "registration_question"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"),
                                          index=True)
    position: Mapped[int] = mapped_column(sa.Integer)
    kind: Mapped[QuestionKind] = mapped_column(str_enum(QuestionKind, "question_kind"))
    label: Mapped[str] = mapped_column(sa.String(200))
    help_text: Mapped[str | None] = mapped_column(sa.Text)
    # The choices offered, one per line (choice questions only; empty otherwise). Answers
    # store the choice's text, so a choice renamed later leaves older answers as given.
    choices: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    required: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # The answer matters as the person comes in (accessibility needs): the check-in shows it.
    shown_at_door: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    audience: Mapped[QuestionAudience] = mapped_column(
        str_enum(QuestionAudience, "question_audience"), default=QuestionAudience.BOTH)
    # Set when retired: no longer asked, its answers kept and shown.
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    event: Mapped[Event] = relationship()

    @property
    def choice_list(self) -> list[str]:
        """The choices offered, in order."""
        return [line.strip() for line in (self.choices or "").splitlines() if line.strip()]

    @property
    def is_retired(self) -> bool:
        """No longer asked."""
        return self.retired_at is not None

    def asks(self, audience: QuestionAudience) -> bool:
        """Whether people of this audience ('public' or 'delegates') are asked it."""
        return self.audience in (audience, QuestionAudience.BOTH)


class Answer(db.Model):
    """One registration's answer to one question, as text: the choice, "yes" or "no", the
    number, or several choices one per line (a choice holds no line break)."""

    __tablename__ = "registration_answer"

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("registration.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(sa.ForeignKey("registration_question.id"),
                                             index=True)
    value: Mapped[str] = mapped_column(sa.Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    question: Mapped[Question] = relationship()

    __table_args__ = (
        # The unique index leads with registration_id: it serves "a registration's answers".
        sa.UniqueConstraint("registration_id", "question_id"),
    )
