"""Sign-in and account forms (Flask-WTF: every form carries a CSRF token)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, RadioField, SelectChoice, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional, Regexp


class LoginForm(FlaskForm):
    username = StringField(
        _l("Username"),
        validators=[DataRequired(_l("Enter your username.")), Length(max=64)],
        render_kw={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(_l("Enter your password.")), Length(max=256)],
        render_kw={"autocomplete": "current-password"},
    )
    next = HiddenField()


class CodeForm(FlaskForm):
    code = StringField(
        _l("Six-digit code from your authenticator app"),
        validators=[
            DataRequired(_l("Enter the code.")),
            Regexp(r"^\s*\d{3}\s?\d{3}\s*$", message=_l("The code is six digits.")),
        ],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric", "maxlength": "7"},
    )


class ChangePasswordForm(FlaskForm):
    current = PasswordField(
        _l("Current password"),
        validators=[DataRequired(_l("Enter your current password."))],
        render_kw={"autocomplete": "current-password"},
    )
    new = PasswordField(
        _l("New password"),
        validators=[DataRequired(_l("Enter a new password."))],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("New password again"),
        validators=[DataRequired(_l("Repeat the new password.")), EqualTo("new", _l("The two passwords differ."))],
        render_kw={"autocomplete": "new-password"},
    )


# A staff member's work phone, as a referral packet carries it so that a service can call back:
# digits, spaces, "+", "-", ".", "(", ")" — nothing else; runs of spaces kept as one.
def one_line(value: str | None) -> str | None:
    return " ".join(value.split()) if value else value


WORK_PHONE_VALIDATORS = [
    Optional(),
    Length(max=40),
    Regexp(r"^\+?[0-9 ().-]{6,40}$", message=_l("A phone number: digits, spaces, + - . ( ) only.")),
]


class WorkPhoneForm(FlaskForm):
    work_phone = StringField(
        _l("Work phone"),
        validators=WORK_PHONE_VALIDATORS,
        filters=[one_line],
        render_kw={"autocomplete": "tel", "inputmode": "tel"},
    )


class LanguageForm(FlaskForm):
    lang = RadioField(
        _l("Language"),
        choices=[SelectChoice("fr", "Français"), SelectChoice("en", "English")],
        validators=[DataRequired()],
    )
    next = HiddenField()
