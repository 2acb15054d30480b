"""The passport details a registrant gives for a visa invitation letter, and the public
verification form."""

from __future__ import annotations

import re
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from webapp.clock import today
from webapp.forms import AppForm, DayField, stripped

PASSPORT_NUMBER = re.compile(r"[A-Z0-9]{5,20}")


def _upper_compact(value):
    """A passport number as printed: capitals, without the spaces people type in it."""
    return re.sub(r"[\s-]+", "", value).upper() if isinstance(value, str) else value


class PassportForm(AppForm):
    """Passport holder's details, exactly as in the passport; `last_day` (the forum's last
    local day) is set by the view so the expiry can be checked against it."""

    full_name = StringField(_l("Full name as in the passport"), filters=[stripped], validators=[
        DataRequired(_l("Give your name exactly as it is printed in your passport.")),
        Length(max=200, message=_l("The name is too long: 200 characters at most."))])
    nationality = StringField(_l("Nationality"), filters=[stripped], validators=[
        DataRequired(_l("Give your nationality as in your passport.")),
        Length(max=100, message=_l("The nationality is too long: 100 characters at most."))])
    passport_number = StringField(_l("Passport number"), filters=[stripped, _upper_compact],
                                  validators=[DataRequired(_l("Give your passport number."))])
    # InputRequired, not DataRequired: a typed date that is wrong keeps its own message.
    birth_date = DayField(_l("Date of birth"), validators=[
        InputRequired(_l("Give your date of birth (YYYY-MM-DD)."))])
    expiry_date = DayField(_l("Passport expiry date"), validators=[
        InputRequired(_l("Give the date your passport expires (YYYY-MM-DD)."))])
    last_day: date | None = None

    def validate_passport_number(self, field) -> None:
        """5 to 20 letters and digits, the shapes passports use."""
        if not PASSPORT_NUMBER.fullmatch(field.data or ""):
            raise ValidationError(_("A passport number is 5 to 20 letters and digits, as "
                                    "printed in the passport."))

    def validate_birth_date(self, field) -> None:
        """A day in the past."""
        if field.data and field.data >= today():
            raise ValidationError(_("The date of birth must be in the past."))

    def validate_expiry_date(self, field) -> None:
        """Still valid after the forum (consulates want it valid for the whole stay)."""
        if field.data is None:
            return
        if field.data <= today():
            raise ValidationError(_("This passport has expired: give the details of a valid "
                                    "one."))
        if self.last_day and field.data <= self.last_day:
            raise ValidationError(_(
                "The passport expires on %(expiry)s, before the forum ends (%(last_day)s): a "
                "visa needs a passport valid for the whole stay.",
                expiry=field.data.isoformat(), last_day=self.last_day.isoformat()))


class VerifyForm(AppForm):
    """The reference printed at the foot of a letter."""

    class Meta:
        csrf = False  # a GET form anyone may use; it changes nothing

    code = StringField(_l("Verification reference"), filters=[stripped],
                       validators=[Optional(), Length(max=200)])
