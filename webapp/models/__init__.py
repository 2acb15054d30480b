"""All models, re-exported so that Alembic and the app see the whole schema."""

from webapp.models.calendar import bump_sequences  # noqa: F401 - listener and indexes
from webapp.models.door import DoorStaff
from webapp.models.event import AgendaItem, AgendaKind, Event, EventCapacity, EventKind, EventStatus
from webapp.models.mail import OutboxAttachment, OutboxMessage, OutboxStatus
from webapp.models.message import AttendeeMessage, MessageRecipient, MessageScope
from webapp.models.mission import GuestStatus, MissionGuest, agenda_attendance
from webapp.models.participation import EngagementRule, RuleKey
from webapp.models.people import Person
from webapp.models.privacy import Consent, ErasureRequest, ErasureStatus, PrivacyNotice
from webapp.models.questions import Answer, Question, QuestionAudience, QuestionKind
from webapp.models.region import (
    AnnualFee,
    MembershipEntry,
    MembershipKind,
    Region,
    RegionStatus,
    Representative,
)
from webapp.models.registration import (
    CheckInAction,
    CheckInEntry,
    DelegateImport,
    Delegation,
    DelegationQuota,
    Registration,
    RegistrationStatus,
)
from webapp.models.seats import install_seat_triggers  # noqa: F401 - seat-count triggers
from webapp.models.types import DatePrecision, utcnow
from webapp.models.user import AuditEntry, LoginThrottle, Role, User
from webapp.models.visa import PassportDetails, VisaLetter

__all__ = [
    "AgendaItem",
    "AgendaKind",
    "Answer",
    "AnnualFee",
    "AttendeeMessage",
    "AuditEntry",
    "CheckInAction",
    "Consent",
    "ErasureRequest",
    "ErasureStatus",
    "PrivacyNotice",
    "CheckInEntry",
    "DelegateImport",
    "DoorStaff",
    "DelegationQuota",
    "DatePrecision",
    "EngagementRule",
    "Delegation",
    "Event",
    "EventCapacity",
    "EventKind",
    "EventStatus",
    "GuestStatus",
    "MissionGuest",
    "agenda_attendance",
    "MembershipEntry",
    "MessageRecipient",
    "MessageScope",
    "LoginThrottle",
    "MembershipKind",
    "OutboxAttachment",
    "OutboxMessage",
    "OutboxStatus",
    "PassportDetails",
    "Person",
    "Question",
    "QuestionAudience",
    "QuestionKind",
    "Region",
    "RegionStatus",
    "Registration",
    "RegistrationStatus",
    "Representative",
    "Role",
    "RuleKey",
    "User",
    "VisaLetter",
    "utcnow",
]
