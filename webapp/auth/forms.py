"""Forms for sign-in, passwords and user administration."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import LazyString
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from webapp.auth.services import MIN_PASSWORD_LENGTH
from webapp.extensions import db
from webapp.forms import AppForm, EmailAddress, plain_number
from webapp.models import Region, Role, User
from webapp.urls import LARGEST_ID


class LoginForm(AppForm):
    """Email and password."""

    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=500)])
    remember = BooleanField(_l("Keep me signed in on this device"))


class ForgotPasswordForm(AppForm):
    """Ask for a reset link."""

    email = EmailField(_l("Email"), validators=[DataRequired(), EmailAddress(), Length(max=254)])


class NewPasswordForm(AppForm):
    """Choose a password (twice)."""

    password = PasswordField(
        _l("New password"),
        validators=[
            DataRequired(),
            Length(min=MIN_PASSWORD_LENGTH, max=500,
                   message=_l("Use at least %(num)s characters.", num=MIN_PASSWORD_LENGTH)),
        ],
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The two passwords differ."))],
    )


class ChangePasswordForm(NewPasswordForm):
    """Change one's own password, proving the current one."""

    current = PasswordField(_l("Current password"), validators=[DataRequired()])


def region_choices() -> list[tuple[str, str]]:
    """Regions to pick for a coordinator, with an empty first choice."""
    regions = db.session.execute(sa.select(Region.id, Region.name).order_by(Region.name)).all()
    return [("", _("— none —"))] + [(str(rid), name) for rid, name in regions]


def chosen_region(form_value: str | None) -> Region | None:
    """The region a form's choice names; None for no choice or a value naming no region (a
    forged post may send anything: words, huge numbers)."""
    region_id = plain_number(form_value or "", LARGEST_ID)
    return None if region_id is None else db.session.get(Region, region_id)


class RoleRegionMixin:
    """A role and, for coordinators, their region."""

    def validate_region_id(self, field) -> None:
        """A coordinator needs a region; the others have none."""
        if self.role.data == Role.COORDINATOR.value and not field.data:
            raise ValidationError(_("Choose the region this coordinator works for."))
        if field.data and chosen_region(field.data) is None:
            raise ValidationError(_("Unknown region."))


# Labels read when the form is drawn, in the page's language.
ROLE_CHOICES = [(r.value, LazyString(lambda r=r: r.label)) for r in Role]


class InviteForm(RoleRegionMixin, AppForm):
    """Invite someone to an account."""

    full_name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=200)])
    email = EmailField(_l("Email"), validators=[DataRequired(), EmailAddress(), Length(max=254)])
    role = SelectField(_l("Role"), choices=ROLE_CHOICES, default=Role.COORDINATOR.value)
    region_id = SelectField(_l("Region (coordinators)"), choices=[], validate_choice=False)

    def validate_email(self, field) -> None:
        """One account per email."""
        taken = db.session.scalar(
            sa.select(User.id).where(User.email == field.data.strip().lower())
        )
        if taken:
            raise ValidationError(_("There is already an account with this email."))


class EditUserForm(RoleRegionMixin, AppForm):
    """Change a user's role, region or active state."""

    role = SelectField(_l("Role"), choices=ROLE_CHOICES)
    region_id = SelectField(_l("Region (coordinators)"), choices=[], validate_choice=False)
    enabled = BooleanField(_l("Account active"))
