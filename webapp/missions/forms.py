"""Forms for missions, guests and agenda items. Times are typed in the mission's local time."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask_babel import LazyString, format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    EmailField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    AnyOf,
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from webapp.forms import AppForm, EmailAddress, LocalDateTimeField, iana_zones
from webapp.models import AgendaKind, GuestStatus

MISSION_ITEM_KINDS = [AgendaKind.VISIT, AgendaKind.WORKSHOP, AgendaKind.MEAL,
                      AgendaKind.TRANSPORT, AgendaKind.FREE_TIME]


def to_utc(local: datetime | None, zone: str) -> datetime | None:
    """A wall-clock time typed in `zone` as an aware datetime."""
    return local.replace(tzinfo=ZoneInfo(zone)) if local else None


def to_local(value: datetime | None, zone: str) -> datetime | None:
    """An aware datetime as the naive wall-clock time the form shows."""
    return value.astimezone(ZoneInfo(zone)).replace(tzinfo=None) if value else None


def zone_choices() -> list[tuple[str, str]]:
    """Every IANA zone, as the forum set-up offers them."""
    return [(zone, zone) for zone in iana_zones()]


def _local_field(label: str, required: bool = True) -> LocalDateTimeField:
    """A date-and-time input in local time (the form's `local_zone`: the mission's)."""
    message = _l("Give a date and time (YYYY-MM-DD HH:MM).")
    return LocalDateTimeField(
        label, validators=[InputRequired(message)] if required else [Optional()],
    )


class EndsAfterStartMixin:
    """The end comes after the start."""

    def validate_ends_at(self, field) -> None:
        """An item or a stay cannot end before it starts."""
        if field.data and self.starts_at.data and field.data <= self.starts_at.data:
            raise ValidationError(_("The end must come after the start."))


class MissionForm(EndsAfterStartMixin, AppForm):
    """A reverse mission's facts."""

    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    host_region_id = SelectField(_l("Host region"), choices=[], validate_choice=False)
    place = StringField(_l("Place"), validators=[DataRequired(), Length(max=200)])
    theme = StringField(_l("Theme"), validators=[Optional(), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])
    # The forum set-up's picker: every IANA zone; the route defaults it to the host's zone.
    timezone = SelectField(_l("Local time zone"), choices=[], validate_choice=False,
                           default="Europe/Copenhagen")
    starts_at = _local_field(_l("Starts (local time)"))
    ends_at = _local_field(_l("Ends (local time)"))
    travel_buffer_minutes = IntegerField(
        _l("Travel buffer (minutes)"), default=30,
        validators=[InputRequired(_l("Give the travel buffer in minutes.")),
                    NumberRange(0, 1440, _l("Between 0 and 1440 minutes."))],
    )

    @property
    def local_zone(self) -> str:
        """The zone the mission's times are typed in (LocalDateTimeField checks them in it)."""
        return (self.timezone.data or "").strip()

    def validate_timezone(self, field) -> None:
        """Only real IANA zones, so local times can be computed."""
        field.data = (field.data or "").strip()
        if field.data not in iana_zones():
            raise ValidationError(_("Choose a time zone from the list (an IANA zone such as "
                                    "Europe/Madrid)."))

    def validate_host_region_id(self, field) -> None:
        """The host must be one of the regions offered."""
        if str(field.data) not in {choice[0] for choice in field.choices}:
            raise ValidationError(_("Choose the host region."))


class InviteGuestForm(AppForm):
    """Invite several people at once: ticked people, all representatives, or one by email."""

    person_ids = SelectMultipleField(_l("People of the other regions"), coerce=int, choices=[],
                                     validate_choice=False,
                                     widget=ListWidget(prefix_label=False),
                                     option_widget=CheckboxInput())
    all_representatives = BooleanField(_l("All representatives of the member regions"))
    email = EmailField(_l("…or invite by email"),
                       validators=[Optional(), EmailAddress(), Length(max=254)])
    full_name = StringField(_l("Their name (new people)"), validators=[Optional(), Length(max=200)])
    region_id = SelectField(_l("Their region (new people)"), choices=[], validate_choice=False)

    def validate_region_id(self, field) -> None:
        """The region, when given, is one of those offered."""
        if field.data and str(field.data) not in {v for v, _ in field.choices}:
            raise ValidationError(_("Choose a region from the list."))

    def validate_person_ids(self, field) -> None:
        """Someone to invite, each from the list offered."""
        if not field.data and not self.all_representatives.data and not self.email.data:
            raise ValidationError(_("Tick the people to invite, tick all representatives, "
                                    "or give an email address below."))
        known = {value for value, _ in field.choices}
        if any(pid not in known for pid in field.data or []):
            raise ValidationError(_("Tick people from the list."))


class GuestForm(EndsAfterStartMixin, AppForm):
    """A guest's answer and stay."""

    local_zone: str | None = None  # the mission's zone, set by the route
    status = SelectField(_l("Status"), choices=[(s.value, LazyString(lambda s=s: s.label))
                                                 for s in GuestStatus])
    starts_at = _local_field(_l("Arrives (local time)"), required=False)
    ends_at = _local_field(_l("Departs (local time)"), required=False)


def day_label(day: date) -> str:
    """'Mon 5 May 2031' (in the page's language)."""
    return format_date(day, "EEE d MMMM y")


class WithinMissionDays:
    """A stay on the mission's days: `mission_days` (first, last local day) is set by the
    route; arrival and departure outside them are refused, saying the days."""

    mission_days: tuple[date, date] | None = None

    def _check_within(self, field, message) -> None:
        """`field`'s day falls on one of the mission's days."""
        if not (field.data and self.mission_days):
            return
        first, last = self.mission_days
        if not first <= field.data.date() <= last:
            raise ValidationError(message % {"first": day_label(first), "last": day_label(last)})

    def validate_starts_at(self, field) -> None:
        """Arrival on the mission's days."""
        self._check_within(field, _("Give an arrival on one of the mission days: %(first)s to "
                                    "%(last)s."))

    def validate_ends_at(self, field) -> None:
        """Departure after arrival, on the mission's days."""
        super().validate_ends_at(field)
        self._check_within(field, _("Give a departure on one of the mission days: %(first)s to "
                                    "%(last)s."))


class GuestRecordForm(WithinMissionDays, GuestForm):
    """An organiser records a guest's answer, stay and note."""

    note = TextAreaField(_l("Note (dietary needs, access needs)"),
                         validators=[Optional(), Length(max=2000)])


class GuestAnswerForm(GuestRecordForm):
    """A guest's own answer through their signed link: coming or not, stay, note."""

    status = RadioField(_l("Will you come?"), choices=[
        (GuestStatus.ACCEPTED.value, _l("Yes, I accept the invitation")),
        (GuestStatus.DECLINED.value, _l("No, I decline"))], validate_choice=False,
        validators=[InputRequired(_l("Say whether you accept or decline.")),
                    AnyOf([GuestStatus.ACCEPTED.value, GuestStatus.DECLINED.value],
                          _l("Choose accept or decline."))])


class ItemForm(EndsAfterStartMixin, AppForm):
    """One agenda item of a mission."""

    local_zone: str | None = None  # the mission's zone, set by the route
    kind = SelectField(_l("Kind"), choices=[(k.value, LazyString(lambda k=k: k.label))
                                              for k in MISSION_ITEM_KINDS],
                       default=AgendaKind.VISIT.value)
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])
    host_organisation = StringField(_l("Host organisation"),
                                    validators=[Optional(), Length(max=200)])
    contact_name = StringField(_l("Contact person"), validators=[Optional(), Length(max=200)])
    contact_email = EmailField(_l("Contact email"),
                               validators=[Optional(), EmailAddress(), Length(max=254)])
    contact_phone = StringField(_l("Contact phone"), validators=[Optional(), Length(max=40)])
    address = StringField(_l("Address"), validators=[Optional(), Length(max=300)])
    starts_at = _local_field(_l("Starts (local time)"))
    ends_at = _local_field(_l("Ends (local time)"))
    capacity = IntegerField(_l("Capacity (places)"), validators=[
        Optional(), NumberRange(0, 100_000, _l("Give a number of places, 0 or more."))])
    attendance = RadioField(_l("Who attends"), default="all", choices=[
        ("all", _l("All guests")), ("some", _l("Only the guests ticked below (a parallel split)"))])
    guest_ids = SelectMultipleField(_l("Guests"), coerce=int, choices=[], validate_choice=False,
                                    widget=ListWidget(prefix_label=False),
                                    option_widget=CheckboxInput())

    def validate_guest_ids(self, field) -> None:
        """A split names at least one guest, all from this mission."""
        known = {value for value, _ in field.choices}
        if any(gid not in known for gid in field.data or []):
            raise ValidationError(_("Tick guests from this mission's list."))
        if self.attendance.data == "some" and not field.data:
            raise ValidationError(_("Tick at least one guest, or choose “All guests”."))
