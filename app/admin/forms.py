"""Admin forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, PasswordField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from cpims.options import SUB_CLUSTERS
from models import ROLES

from ..auth.forms import WORK_PHONE_VALIDATORS, one_line

ROLE_LABELS = {
    "caseworker": _l("Caseworker"),
    "supervisor": _l("Supervisor"),
    "provider": _l("Service provider"),
    "cluster_lead": _l("Sub-cluster lead"),
    "admin": _l("Administrator"),
}


def role_choices() -> list[tuple[str, str]]:
    return [(r, str(ROLE_LABELS[r])) for r in ROLES]


def sub_cluster_choices() -> list[SelectChoice]:
    return [SelectChoice("", "—")] + [SelectChoice(code, _l(text)) for code, text in SUB_CLUSTERS.items()]


def select_choices(pairs: list[tuple[str, str]]) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


class UserCreateForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(_l("Enter a username.")), Length(max=64)])
    role = SelectField(_l("Role"), validators=[DataRequired()])
    agency = SelectField(_l("Agency"), validators=[Optional()])
    provider = SelectField(_l("Service in the directory (service providers only)"), validators=[Optional()])
    sub_cluster = SelectField(_l("Sub-cluster (sub-cluster leads only)"), validators=[Optional()])
    password = PasswordField(
        _l("Initial password"),
        validators=[DataRequired(_l("Enter an initial password."))],
        render_kw={"autocomplete": "new-password"},
    )
    language = SelectField(_l("Language"), choices=[SelectChoice("fr", "Français"), SelectChoice("en", "English")])


class UserEditForm(FlaskForm):
    role = SelectField(_l("Role"), validators=[DataRequired()])
    agency = SelectField(_l("Agency"), validators=[Optional()])
    sub_cluster = SelectField(_l("Sub-cluster (sub-cluster leads only)"), validators=[Optional()])
    work_phone = StringField(
        _l("Work phone"),
        validators=WORK_PHONE_VALIDATORS,
        filters=[one_line],
        render_kw={"autocomplete": "off", "inputmode": "tel"},
    )
    active = BooleanField(_l("Account active"))


class TemporaryPasswordForm(FlaskForm):
    password = PasswordField(
        _l("Temporary password"),
        validators=[DataRequired(_l("Enter a temporary password."))],
        render_kw={"autocomplete": "new-password"},
    )


class UserActionForm(FlaskForm):
    """A bare form: a CSRF token for the one-button actions (unlock, reset 2FA, sign out)."""


class AgencyForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(_l("Enter a code.")), Length(max=32)])
    name = StringField(_l("Name"), validators=[DataRequired(_l("Enter the name.")), Length(max=200)])
    isp_signed = BooleanField(_l("Signed the GBVIMS Information Sharing Protocol"))
    active = BooleanField(_l("Active"), default=True)


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET filter changes nothing

    action = StringField(_l("Action"), validators=[Optional(), Length(max=64)])
    actor = StringField(_l("User"), validators=[Optional(), Length(max=64)])
    outcome = SelectField(
        _l("Outcome"),
        choices=[
            SelectChoice("", _l("Any")),
            SelectChoice("success", _l("Success")),
            SelectChoice("failure", _l("Failure")),
            SelectChoice("denied", _l("Denied")),
        ],
        validators=[Optional()],
    )
    since = DateField(_l("From"), validators=[Optional()])
    until = DateField(_l("To"), validators=[Optional()])


class LocationForm(FlaskForm):
    """A new location (all fields) or an existing one (names and status only)."""

    code = StringField(_l("Code"), validators=[DataRequired(_l("Enter a code.")), Length(max=32)])
    name_fr = StringField(_l("Name in French"), validators=[DataRequired(_l("Enter the name.")), Length(max=120)])
    name_en = StringField(_l("Name in English"), validators=[DataRequired(_l("Enter the name.")), Length(max=120)])
    level = SelectField(
        _l("Level"),
        choices=[
            SelectChoice("commune", _l("Commune")),
            SelectChoice("cercle", _l("Cercle")),
            SelectChoice("region", _l("Region")),
        ],
    )
    parent = StringField(_l("Code of the place it belongs to"), validators=[Optional(), Length(max=32)])
    active = BooleanField(_l("Offered in forms"), default=True)
