"""Forms for forum set-up, registration, delegates, imports and cancellations."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    EmailField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from webapp.forms import AppForm, iana_zones
from webapp.registrations.services import PersonData


class PersonFieldsMixin:
    """Name, email, organisation and title, as on a badge."""

    full_name = StringField("Full name", validators=[DataRequired(), Length(max=200)])
    email = EmailField("Email", validators=[DataRequired(), Email(), Length(max=254)])
    organisation = StringField("Organisation", validators=[Optional(), Length(max=200)])
    job_title = StringField("Title", validators=[Optional(), Length(max=200)])

    def person_data(self) -> PersonData:
        """The form's person, trimmed."""
        return PersonData(
            full_name=self.full_name.data.strip(),
            email=self.email.data.strip().lower(),
            organisation=(self.organisation.data or "").strip() or None,
            job_title=(self.job_title.data or "").strip() or None,
        )


class PublicRegistrationForm(PersonFieldsMixin, AppForm):
    """Anyone's registration for a forum."""

    class Meta:
        # CSRFProtect checks the token of every POST before any view runs; on the busiest
        # form of the site the form does not check (and re-sign) it a second time. The
        # template posts the token with csrf_token().
        csrf = False

    # The route sets the event's audiences as choices; an unknown one gets the message below
    # instead of WTForms' "Not a valid choice".
    audience = SelectField("I register as", choices=[], validate_choice=False,
                           validators=[DataRequired(message="Choose how you register.")])

    def validate_audience(self, field: SelectField) -> None:
        """One of the event's audiences."""
        if field.data not in {value for value, _label in field.choices}:
            raise ValidationError("Choose one of the audiences offered.")


class DelegateForm(PersonFieldsMixin, AppForm):
    """A delegate added by the region's coordinator."""

    is_head = BooleanField("Head of delegation")


class SubstituteForm(PersonFieldsMixin, AppForm):
    """The person who takes over a delegate's seat."""


class DetailsForm(AppForm):
    """Change one's name, organisation or title (the email identifies the registration)."""

    full_name = StringField("Full name", validators=[DataRequired(), Length(max=200)])
    organisation = StringField("Organisation", validators=[Optional(), Length(max=200)])
    job_title = StringField("Title", validators=[Optional(), Length(max=200)])


class DelegateDetailsForm(DetailsForm):
    """A delegate's details as their coordinator corrects them."""

    is_head = BooleanField("Head of delegation")


class ReasonForm(AppForm):
    """Why a registration is cancelled or a delegate withdrawn."""

    reason = TextAreaField("Reason", validators=[DataRequired(message="Give a reason."),
                                                 Length(max=500)])


class SelfCancelForm(AppForm):
    """A person cancelling their own registration (the reason is optional for them)."""

    reason = TextAreaField("Reason (optional)", validators=[Optional(), Length(max=500)])


class ImportForm(AppForm):
    """A delegate list exported from a spreadsheet."""

    file = FileField("CSV file", validators=[FileRequired("Choose a CSV file.")])


class CapacityForm(Form):
    """One audience and its seats (a blank row is ignored)."""

    audience = StringField("Key", validators=[
        Optional(), Length(max=40),
        Regexp(r"^[a-z][a-z0-9_]*$", message="Lower-case letters, digits and _ only."),
    ])
    label = StringField("Label", validators=[Optional(), Length(max=80)])
    capacity = IntegerField("Seats", validators=[Optional(), NumberRange(min=0, max=1_000_000)])

    @property
    def half_filled(self) -> bool:
        """Some but not all of key, label and seats given."""
        filled = [bool(self.audience.data), bool(self.label.data), self.capacity.data is not None]
        return any(filled) and not all(filled)


def timezone_choices() -> list[tuple[str, str]]:
    """Every IANA zone, sorted."""
    return [(zone, zone) for zone in iana_zones()]


def LocalField(label: str, validators=None) -> DateTimeLocalField:  # noqa: N802 - a field factory
    """A datetime-local input, read and shown as 'YYYY-MM-DDTHH:MM' like browsers send it."""
    return DateTimeLocalField(label, validators=validators, format="%Y-%m-%dT%H:%M")


class ForumForm(AppForm):
    """A forum's set-up: dates in its local zone, venue, window, capacities, default quota."""

    title = StringField("Title", validators=[DataRequired(), Length(max=200)])
    theme = StringField("Theme", validators=[Optional(), Length(max=200)])
    host_region_id = SelectField("Host region", choices=[], validate_choice=False)
    place = StringField("Place", validators=[DataRequired(), Length(max=200)])
    venue = StringField("Venue", validators=[Optional(), Length(max=200)])
    timezone = SelectField("Local time zone", choices=[], default="Europe/Copenhagen")
    starts_local = LocalField("Starts (local time)", validators=[DataRequired()])
    ends_local = LocalField("Ends (local time)", validators=[DataRequired()])
    opens_local = LocalField("Registration opens (local time)", validators=[Optional()])
    closes_local = LocalField("Registration closes (local time)",
                                      validators=[Optional()])
    deadline_local = LocalField("Delegation deadline (local time)",
                                        validators=[Optional()])
    default_quota = IntegerField("Delegates per member region",
                                 validators=[Optional(), NumberRange(min=0, max=10_000)])
    capacities = FieldList(FormField(CapacityForm), min_entries=3, max_entries=8)

    def validate_host_region_id(self, field) -> None:
        """No host, or one of the regions offered (a forged post may send anything)."""
        if field.data and field.data not in {value for value, _ in field.choices}:
            raise ValidationError("Choose one of the regions offered.")

    def validate_ends_local(self, field) -> None:
        """The forum ends after it starts."""
        if self.starts_local.data and field.data and field.data <= self.starts_local.data:
            raise ValidationError("The end must be after the start.")

    def validate_closes_local(self, field) -> None:
        """Registration closes after it opens."""
        if self.opens_local.data and field.data and field.data <= self.opens_local.data:
            raise ValidationError("Registration must close after it opens.")

    def validate_timezone(self, field) -> None:
        """A real IANA zone."""
        try:
            ZoneInfo(field.data)
        except (ValueError, KeyError, OSError):
            raise ValidationError("Choose a time zone from the list.") from None

    def validate_capacities(self, field) -> None:
        """Each row complete or empty; each audience key once."""
        if any(entry.form.half_filled for entry in field.entries):
            raise ValidationError("Fill in the key, the label and the seats, or none of them.")
        keys = [entry.form.audience.data for entry in field.entries if entry.form.audience.data]
        if len(keys) != len(set(keys)):
            raise ValidationError("Each audience key may appear only once.")
