"""The network's engagement policy: rules the secretariat switches on and tunes."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from webapp.extensions import db
from webapp.models.types import UTCDateTime, str_enum, utcnow


class RuleKey(enum.StrEnum):
    """The rules the engagement policy knows."""

    MISSED_FORUMS = "missed_forums"
    FEE_OVERDUE = "fee_overdue"
    NO_REPRESENTATIVE = "no_representative"
    NO_ACTIVITY = "no_activity"


class EngagementRule(db.Model):
    """One rule of the policy: on or off, with its thresholds (typed, checked by the database).

    A rule without a row uses its default (webapp.participation.policy.DEFAULT_RULES)."""

    __tablename__ = "engagement_rule"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[RuleKey] = mapped_column(str_enum(RuleKey, "engagement_rule_key"), unique=True)
    enabled: Mapped[bool] = mapped_column(default=True)
    missed_at_least: Mapped[int | None] = mapped_column(sa.Integer)
    of_last_forums: Mapped[int | None] = mapped_column(sa.Integer)
    days_after_due: Mapped[int | None] = mapped_column(sa.Integer)
    inactive_months: Mapped[int | None] = mapped_column(sa.Integer)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    __table_args__ = (
        sa.CheckConstraint(
            "key <> 'missed_forums' OR (missed_at_least IS NOT NULL AND of_last_forums IS NOT NULL"
            " AND missed_at_least BETWEEN 1 AND 50 AND of_last_forums BETWEEN missed_at_least"
            " AND 50)",
            name="missed_forums_thresholds",
        ),
        sa.CheckConstraint(
            "key <> 'fee_overdue' OR (days_after_due IS NOT NULL"
            " AND days_after_due BETWEEN 0 AND 3650)",
            name="fee_overdue_threshold",
        ),
        sa.CheckConstraint(
            "key <> 'no_activity' OR (inactive_months IS NOT NULL"
            " AND inactive_months BETWEEN 1 AND 240)",
            name="no_activity_threshold",
        ),
    )
