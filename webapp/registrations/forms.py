"""Forms for forum set-up, registration, delegates, imports and cancellations."""

from __future__ import annotations

import re

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    EmailField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    Length,
    NumberRange,
    Optional,
    StopValidation,
    ValidationError,
)

from webapp.forms import (
    AppForm,
    EmailAddress,
    LocalDateTimeField,
    WholeNumberField,
    iana_zones,
    stripped,
)
from webapp.registrations.quotas import DELEGATES_ONLY, open_to_the_public
from webapp.registrations.services import PersonData

AUDIENCE_KEY = re.compile(r"[a-z][a-z0-9_]*")
WHEN = _l("Give a date and time (YYYY-MM-DD HH:MM).")


class PersonFieldsMixin:
    """Name, email, organisation and title, as on a badge."""

    full_name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=200)])
    email = EmailField(_l("Email"), validators=[DataRequired(), EmailAddress(), Length(max=254)])
    organisation = StringField(_l("Organisation"), validators=[Optional(), Length(max=200)])
    job_title = StringField(_l("Title"), validators=[Optional(), Length(max=200)])

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
    audience = SelectField(_l("I register as"), choices=[], validate_choice=False,
                           validators=[DataRequired(message=_l("Choose how you register."))])

    def validate_audience(self, field: SelectField) -> None:
        """One of the audiences offered; the delegates' is not the public's, even in a forged
        post (no query)."""
        if not open_to_the_public(field.data):
            raise ValidationError(DELEGATES_ONLY)
        if field.data not in {value for value, _label in field.choices}:
            raise ValidationError(_("Choose one of the audiences offered."))


class DelegateForm(PersonFieldsMixin, AppForm):
    """A delegate added by the region's coordinator."""

    is_head = BooleanField(_l("Head of delegation"))


class DetailsForm(AppForm):
    """Change one's name, organisation or title (the email identifies the registration)."""

    full_name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=200)])
    organisation = StringField(_l("Organisation"), validators=[Optional(), Length(max=200)])
    job_title = StringField(_l("Title"), validators=[Optional(), Length(max=200)])


class DelegateDetailsForm(DetailsForm):
    """A delegate's details as their coordinator corrects them."""

    is_head = BooleanField(_l("Head of delegation"))


TOO_LONG_REASON = _l("The reason is too long: shorten it to 500 characters at most.")


class ReasonForm(AppForm):
    """Why a registration is cancelled or a delegate withdrawn."""

    reason = TextAreaField(_l("Reason"), validators=[DataRequired(message=_l("Give a reason.")),
                                                 Length(max=500, message=TOO_LONG_REASON)])


class SelfCancelForm(AppForm):
    """A person cancelling their own registration (the reason is optional for them: spaces
    alone count as none)."""

    reason = TextAreaField(_l("Reason (optional)"), filters=[stripped],
                           validators=[Optional(), Length(max=500, message=TOO_LONG_REASON)])
    # "yes" from the confirmation page's button: a post without it only asks the question.
    confirmed = HiddenField()


class ImportForm(AppForm):
    """A delegate list exported from a spreadsheet."""

    file = FileField(_l("CSV file"), validators=[FileRequired(_l("Choose a CSV file."))])


def _typed(field) -> bool:
    """Something other than spaces was typed in the field (a number or not)."""
    return bool(field.raw_data and str(field.raw_data[0]).strip())


def _needed_in_a_started_row(message: str):
    """A validator: empty is fine in a blank row; in a row with something typed elsewhere
    this field says it is missing (on itself, not on the whole table)."""

    def check(form, field) -> None:
        if not _typed(field) and form.started:
            field.errors[:] = []
            raise StopValidation(message)

    return check


class CapacityForm(Form):
    """One audience and its seats (a blank row is ignored; a started row needs all three)."""

    audience = StringField(_l("Key"), filters=[stripped], validators=[
        _needed_in_a_started_row(_l("Give the audience's key, or empty this row.")),
        Optional(), Length(max=40),
    ])
    label = StringField(_l("Label"), filters=[stripped], validators=[
        _needed_in_a_started_row(_l("Give the label people see, or empty this row.")),
        Optional(), Length(max=80),
    ])
    capacity = WholeNumberField(_l("Seats"), maximum=1_000_000, validators=[
        _needed_in_a_started_row(_l("Give the number of seats, or empty this row.")), Optional()])

    @property
    def started(self) -> bool:
        """Something typed in the key, the label or the seats."""
        return any(_typed(field) for field in (self.audience, self.label, self.capacity))

    def validate_audience(self, field) -> None:
        """A key is lower-case letters, digits and _, starting with a letter."""
        if field.data and not AUDIENCE_KEY.fullmatch(field.data):
            raise ValidationError(_("Lower-case letters, digits and _ only."))


def timezone_choices() -> list[tuple[str, str]]:
    """Every IANA zone, sorted."""
    return [(zone, zone) for zone in iana_zones()]


def LocalField(label: str, validators=None) -> LocalDateTimeField:  # noqa: N802 - a factory
    """A datetime-local input, read and shown as 'YYYY-MM-DDTHH:MM' like browsers send it;
    a time the forum's zone skips that day is refused (LocalDateTimeField)."""
    return LocalDateTimeField(label, validators=validators)


class ForumForm(AppForm):
    """A forum's set-up: dates in its local zone, venue, window, capacities, default quota."""

    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    theme = StringField(_l("Theme"), validators=[Optional(), Length(max=200)])
    host_region_id = SelectField(_l("Host region"), choices=[], validate_choice=False)
    place = StringField(_l("Place"), validators=[DataRequired(), Length(max=200)])
    venue = StringField(_l("Venue"), validators=[Optional(), Length(max=200)])
    timezone = SelectField(_l("Local time zone"), choices=[], default="Europe/Copenhagen")
    # Required, except on a forum whose exact days are not recorded yet (see validate).
    starts_local = LocalField(_l("Starts (local time)"), validators=[Optional()])
    ends_local = LocalField(_l("Ends (local time)"), validators=[Optional()])
    opens_local = LocalField(_l("Registration opens (local time)"), validators=[Optional()])
    closes_local = LocalField(_l("Registration closes (local time)"),
                                      validators=[Optional()])
    deadline_local = LocalField(_l("Delegation deadline (local time)"),
                                        validators=[Optional()])
    default_quota = IntegerField(_l("Delegates per member region"),
                                 validators=[Optional(), NumberRange(min=0, max=10_000)])
    capacities = FieldList(FormField(CapacityForm), min_entries=3, max_entries=8)
    letterhead_text = TextAreaField(_l("Letterhead for visa invitation letters"), validators=[
        Optional(), Length(max=1000, message=_l("The letterhead is too long: 1,000 characters "
                                                "at most."))])
    # Its public pages' language when the visitor's browser asks for none the app has
    # (choices: the shipped languages, set with the form).
    default_language = SelectField(_l("Language of its public pages"), choices=[],
                                   default="en")
    # True for a forum known only to the month or year: empty dates keep it so.
    dates_optional = False

    def validate(self, extra_validators=None) -> bool:
        """The usual checks, then the dates: both required, or (dates_optional) both or
        neither. Done here because Optional() skips a field's own checks when it is empty."""
        valid = super().validate(extra_validators)
        start, end = self.starts_local, self.ends_local
        if self.dates_optional and start.data is None and end.data is None:
            return valid
        for field, message in ((start, _("Give the first day and time.")),
                               (end, _("Give the last day and time."))):
            if field.data is None and not field.errors:
                field.errors = [message]
                valid = False
        return valid

    @property
    def local_zone(self) -> str | None:
        """The zone the local times are typed in (LocalDateTimeField checks them in it)."""
        return self.timezone.data

    def validate_host_region_id(self, field) -> None:
        """No host, or one of the regions offered (a forged post may send anything)."""
        if field.data and field.data not in {value for value, _ in field.choices}:
            raise ValidationError(_("Choose one of the regions offered."))

    def validate_ends_local(self, field) -> None:
        """The forum ends after it starts."""
        if self.starts_local.data and field.data and field.data <= self.starts_local.data:
            raise ValidationError(_("The end must be after the start."))

    def validate_closes_local(self, field) -> None:
        """Registration closes after it opens."""
        if self.opens_local.data and field.data and field.data <= self.opens_local.data:
            raise ValidationError(_("Registration must close after it opens."))

    def validate_timezone(self, field) -> None:
        """A real IANA zone."""
        if field.data not in iana_zones():
            raise ValidationError(_("Choose a time zone from the list."))

    def validate_capacities(self, field) -> None:
        """Each audience key once (each row says itself what it lacks)."""
        keys = [entry.form.audience.data for entry in field.entries if entry.form.audience.data]
        if len(keys) != len(set(keys)):
            raise ValidationError(_("Each audience key may appear only once."))
