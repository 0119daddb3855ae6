"""Admin pages: users, agencies, locations, the service directory, audit log. No page here shows
case content (separation of duties, docs/architecture.md)."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from models import Agency, AuditEvent, Location, Provider, User, db, utcnow
from models.keys import keyring

from .. import audit, passwords
from ..auth import accounts, acting_user, sessions
from ..auth import service as auth_service
from ..errors import Conflict, NotFound, ValidationFailed
from ..pagination import paginate
from ..policy import can, require, requires, role_in_force
from ..referrals.directory_admin import import_csv, upsert_provider
from ..referrals.labels import SERVICE_TYPE_LABELS
from . import service
from .forms import (
    AgencyForm,
    AuditFilterForm,
    LocationForm,
    TemporaryPasswordForm,
    UserActionForm,
    UserCreateForm,
    UserEditForm,
    role_choices,
    select_choices,
    sub_cluster_choices,
)

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _agency_choices() -> list[SelectChoice]:
    agencies = db.session.scalars(select(Agency).order_by(Agency.code)).all()
    return select_choices([("", "—")] + [(a.code, f"{a.code} — {a.name}") for a in agencies])


def _apply_field_errors(form: object, exc: ValidationFailed) -> None:
    for name, messages in (exc.fields or {}).items():
        field = getattr(form, name, None)
        if field is not None:
            field.errors = list(messages)


@bp.route("/users")
@requires("users.manage")
def users() -> str:
    stmt = select(User).order_by(User.username)
    role = request.args.get("role", "")
    if role:
        stmt = stmt.where(User.role == role)
    q = request.args.get("q", "").strip().casefold()
    if q:
        stmt = stmt.where(func.lower(User.username).contains(q, autoescape=True))
    page = paginate(stmt, per_page=50)
    return render_template(
        "admin/users.html", page=page, roles=role_choices(), role=role, q=q, role_in_force=role_in_force
    )


@bp.route("/users/new", methods=["GET", "POST"])
@requires("users.manage")
def user_new() -> Response | tuple[str, int] | str:
    form = UserCreateForm()
    form.role.choices = select_choices(role_choices())
    form.agency.choices = _agency_choices()
    providers = db.session.scalars(select(Provider).where(Provider.active.is_(True)).order_by(Provider.code)).all()
    form.provider.choices = select_choices([("", "—")] + [(p.code, f"{p.code} — {p.name}") for p in providers])
    form.sub_cluster.choices = sub_cluster_choices()
    if form.validate_on_submit():
        try:
            user = service.create_user(
                form.username.data or "",
                form.role.data or "",
                form.agency.data or None,
                form.password.data or "",
                language=form.language.data,
                provider_code=form.provider.data or None,
                created_by=acting_user(),
                sub_cluster=form.sub_cluster.data or None,
            )
        except ValidationFailed as exc:
            db.session.rollback()
            _apply_field_errors(form, exc)
        else:
            db.session.commit()
            flash(_("User %(name)s created.", name=user.username), "success")
            return redirect(url_for("admin.user_edit", user_id=user.id))
    status = 422 if request.method == "POST" else 200
    return render_template("admin/user_new.html", form=form), status


def _user_or_404(user_id: str) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound()
    return user


@bp.route("/users/<user_id>", methods=["GET", "POST"])
@requires("users.manage")
def user_edit(user_id: str) -> Response | tuple[str, int] | str:
    user = _user_or_404(user_id)
    if request.method == "POST":
        require("users.manage", user)  # not one's own role or activity
    form = UserEditForm(
        obj=user if request.method == "GET" else None,
        agency=user.agency.code if user.agency and request.method == "GET" else None,
    )
    form.role.choices = select_choices(role_choices())
    form.agency.choices = _agency_choices()
    form.sub_cluster.choices = sub_cluster_choices()
    if form.validate_on_submit():
        agency = service.agency_by_code(form.agency.data) if form.agency.data else None
        errors: dict[str, list[str]] = {}
        service.validate_role_and_agency(form.role.data or "", agency, errors)
        sub_cluster = service.validate_sub_cluster(form.role.data or "", form.sub_cluster.data, errors)
        if errors:
            _apply_field_errors(form, ValidationFailed(fields=errors))
        else:
            changes = {
                k: v
                for k, v in (
                    ("role", form.role.data),
                    ("agency", agency.code if agency else None),
                    ("active", form.active.data),
                    ("sub_cluster", sub_cluster),
                    ("work_phone", form.work_phone.data or None),
                )
                if v != _current(user, k)
            }
            if "role" in changes or "agency" in changes:
                accounts.set_role(user, form.role.data or user.role, agency, by=acting_user())
            user.active = bool(form.active.data)
            user.sub_cluster = sub_cluster
            if "work_phone" in changes:  # a referral packet carries it; no session ends for it
                user.work_phone = changes["work_phone"]
            if {"role", "active", "sub_cluster"} & set(changes):
                sessions.end_all(user, "account_changed")  # a demoted or deactivated user keeps no session
            audit.record("user.updated", target_type="user", target_id=user.id, details={"changed": sorted(changes)})
            db.session.commit()
            flash(_("Changes saved."), "success")
            return redirect(url_for("admin.user_edit", user_id=user.id))
    return _user_page(user, form, TemporaryPasswordForm()), 422 if request.method == "POST" else 200


def _user_page(user: User, form: UserEditForm, password_form: TemporaryPasswordForm) -> str:
    return render_template(
        "admin/user_edit.html",
        form=form,
        user=user,
        action_form=UserActionForm(),
        password_form=password_form,
        is_self=user.id == current_user.id,
        role_pending=not role_in_force(user),
        may_approve=can(current_user, "role.approve", user),
    )


def _current(user: User, key: str) -> object:
    if key == "agency":
        return user.agency.code if user.agency else None
    return getattr(user, key)


USER_ACTIONS = {
    "unlock": "user.unlocked",
    "reset-2fa": "user.2fa_reset",
    "sign-out": "user.signed_out",
}
SECOND_PERSON = _l(
    "A second person must approve this role: not the administrator who granted it, nor an account that "
    "administrator created."
)


@bp.route("/users/<user_id>/role/<any(approve, refuse):decision>", methods=["POST"])
@requires("role.approve")
def user_role(user_id: str, decision: str) -> Response:
    user = _user_or_404(user_id)
    if not UserActionForm().validate_on_submit():
        raise ValidationFailed()
    if not can(acting_user(), "role.approve", user):
        raise Conflict(str(SECOND_PERSON))
    message = accounts.decide_role(acting_user(), user, approve=decision == "approve")
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("admin.user_edit", user_id=user.id))


@bp.route("/users/<user_id>/password", methods=["POST"])
@requires("users.manage")
def user_password(user_id: str) -> Response | tuple[str, int]:
    """A temporary password for someone who forgot theirs: they replace it at sign-in."""
    user = _user_or_404(user_id)
    require("users.manage", user)
    form = TemporaryPasswordForm()
    if form.validate_on_submit():
        if problems := passwords.password_problems(form.password.data or "", user.username):
            form.password.errors = problems
        else:
            user.password_hash = passwords.hash_password(form.password.data or "")
            user.password_changed_at, user.must_change_password = utcnow(), True
            sessions.end_all(user, "password_changed")
            auth_service.unlock(user)
            audit.record("user.password_reset", target_type="user", target_id=user.id)
            db.session.commit()
            flash(_("Temporary password set: %(name)s replaces it at the next sign-in.", name=user.username), "success")
            return redirect(url_for("admin.user_edit", user_id=user.id))
    return _user_page(user, UserEditForm(obj=user, agency=user.agency.code if user.agency else None), form), 422


@bp.route("/users/<user_id>/<any(unlock, 'reset-2fa', 'sign-out'):action>", methods=["POST"])
@requires("users.manage")
def user_action(user_id: str, action: str) -> Response:
    user = _user_or_404(user_id)
    require("users.manage", user)
    if not UserActionForm().validate_on_submit():
        raise ValidationFailed()
    if action == "unlock":
        auth_service.unlock(user)
        flash(_("Account unlocked."), "success")
    elif action == "reset-2fa":
        user.totp_enabled, user.totp_seed, user.last_totp_step = False, None, 0
        sessions.end_all(user, "account_changed")
        flash(_("Second factor reset: the user sets it up again at next sign-in."), "success")
    else:
        sessions.end_all(user, "account_changed")
        flash(_("Every session of this user was closed."), "success")
    audit.record(USER_ACTIONS[action], target_type="user", target_id=user.id)
    db.session.commit()
    return redirect(url_for("admin.user_edit", user_id=user.id))


@bp.route("/agencies")
@requires("agencies.manage")
def agencies() -> str:
    rows = db.session.execute(
        select(Agency, func.count(User.id))
        .outerjoin(User, User.agency_id == Agency.id)
        .group_by(Agency.id)
        .order_by(Agency.code)
    ).all()
    return render_template("admin/agencies.html", rows=rows)


@bp.route("/agencies/new", methods=["GET", "POST"])
@requires("agencies.manage")
def agency_new() -> Response | tuple[str, int] | str:
    form = AgencyForm()
    if form.validate_on_submit():
        try:
            agency = service.create_agency(form.code.data or "", form.name.data or "", bool(form.isp_signed.data))
        except ValidationFailed as exc:
            db.session.rollback()
            _apply_field_errors(form, exc)
        else:
            db.session.commit()
            flash(_("Agency %(code)s created.", code=agency.code), "success")
            return redirect(url_for("admin.agencies"))
    status = 422 if request.method == "POST" else 200
    return render_template("admin/agency_form.html", form=form, agency=None), status


@bp.route("/agencies/<int:agency_id>", methods=["GET", "POST"])
@requires("agencies.manage")
def agency_edit(agency_id: int) -> Response | tuple[str, int] | str:
    agency = db.session.get(Agency, agency_id)
    if agency is None:
        raise NotFound()
    form = AgencyForm(obj=agency)
    form.code.render_kw = {"readonly": True}
    if form.validate_on_submit():
        if not (form.name.data or "").strip():
            form.name.errors = [_("Enter the name.")]
        else:
            changed = sorted(
                k
                for k, v in (
                    ("name", form.name.data.strip()),
                    ("isp_signed", form.isp_signed.data),
                    ("active", form.active.data),
                )
                if v != getattr(agency, k)
            )
            agency.name = form.name.data.strip()
            agency.isp_signed, agency.active = bool(form.isp_signed.data), bool(form.active.data)
            audit.record("agency.updated", target_type="agency", target_id=agency.id, details={"changed": changed})
            db.session.commit()
            flash(_("Changes saved."), "success")
            return redirect(url_for("admin.agencies"))
    status = 422 if request.method == "POST" else 200
    return render_template("admin/agency_form.html", form=form, agency=agency), status


@bp.route("/audit")
@requires("audit.read")
def audit_log() -> str | tuple[str, int]:
    form = AuditFilterForm(request.args)
    audit.seal(wait=True)  # the log shows every committed event, chained
    stmt = select(AuditEvent).order_by(AuditEvent.seq.desc())
    if form.validate():
        if form.action.data:
            stmt = stmt.where(AuditEvent.action.startswith(form.action.data.strip(), autoescape=True))
        if form.actor.data:
            stmt = stmt.where(func.lower(AuditEvent.actor_name) == form.actor.data.strip().casefold())
        if form.outcome.data:
            stmt = stmt.where(AuditEvent.outcome == form.outcome.data)
        if form.since.data:
            stmt = stmt.where(AuditEvent.at >= dt.datetime.combine(form.since.data, dt.time(), dt.UTC))
        if form.until.data:
            end = dt.datetime.combine(form.until.data + dt.timedelta(days=1), dt.time(), dt.UTC)
            stmt = stmt.where(AuditEvent.at < end)
        status = 200
    else:
        status = 422
    page = paginate(stmt, per_page=50)
    return render_template("admin/audit.html", form=form, page=page, action_form=UserActionForm()), status


@bp.route("/audit/verify", methods=["POST"])
@requires("audit.verify")
def audit_verify() -> Response:
    if not UserActionForm().validate_on_submit():
        raise ValidationFailed()
    audit.seal(wait=True)
    result = audit.verify(db.session, keyring().audit_key)
    if result.ok:
        flash(_("The audit chain is intact: %(n)d entries checked.", n=result.checked), "success")
    else:
        flash(_("The audit chain is broken at entry %(seq)d.", seq=result.broken_seq or 0), "error")
    audit.record(
        "audit.verified",
        outcome="success" if result.ok else "failure",
        details={"checked": result.checked, "broken_seq": result.broken_seq},
    )
    db.session.commit()
    return redirect(url_for("admin.audit_log"))


def _provider_context(values: dict[str, object], errors: dict[str, list[str]]) -> dict[str, object]:
    agencies = db.session.scalars(select(Agency).order_by(Agency.code)).all()
    return {
        "values": values,
        "errors": errors,
        "form": UserActionForm(),
        "agencies": [(a.code, f"{a.code} — {a.name}") for a in agencies],
        "service_types": [(code, _(text)) for code, text in SERVICE_TYPE_LABELS.items()],
    }


@bp.route("/providers")
@requires("providers.manage")
def providers() -> str:
    page = paginate(select(Provider).order_by(Provider.code), per_page=50)
    return render_template("admin/providers.html", page=page, form=UserActionForm())


@bp.route("/providers/new", methods=["GET", "POST"], defaults={"provider_id": None})
@bp.route("/providers/<provider_id>", methods=["GET", "POST"])
@requires("providers.manage")
def provider_edit(provider_id: str | None) -> Response | tuple[str, int] | str:
    provider = db.session.get(Provider, provider_id) if provider_id else None
    if provider_id and provider is None:
        raise NotFound()
    if request.method == "POST":
        if not UserActionForm().validate_on_submit():
            raise ValidationFailed()
        data: dict[str, object] = {
            k: request.form.get(k, "") for k in ("code", "name", "agency", "locations", "hours", "languages", "contact")
        }
        data["services"] = request.form.getlist("services")
        for flag in ("serves_children", "clinical_management_of_rape", "pep_kits_in_stock", "active"):
            data[flag] = request.form.get(flag) == "yes"
        try:
            saved = upsert_provider(data, acting_user())
        except ValidationFailed as exc:
            db.session.rollback()
            return render_template(
                "admin/provider_form.html", provider=provider, **_provider_context(data, exc.fields or {})
            ), 422
        db.session.commit()
        flash(_("Service %(code)s saved.", code=saved.code), "success")
        return redirect(url_for("admin.providers"))
    values: dict[str, object] = {"serves_children": True, "active": True}
    if provider is not None:
        values = {
            "code": provider.code,
            "name": provider.name,
            "agency": provider.agency.code,
            "services": provider.service_types,
            "locations": "; ".join(provider.location_codes),
            "hours": provider.hours,
            "languages": provider.languages,
            "contact": provider.contact,
            "serves_children": provider.serves_children,
            "active": provider.active,
            "clinical_management_of_rape": provider.clinical_management_of_rape,
            "pep_kits_in_stock": provider.pep_kits_in_stock,
        }
    return render_template("admin/provider_form.html", provider=provider, **_provider_context(values, {}))


@bp.route("/providers/import", methods=["POST"])
@requires("providers.manage")
def providers_import() -> Response | tuple[str, int]:
    if not UserActionForm().validate_on_submit():
        raise ValidationFailed()
    upload = request.files.get("file")
    try:
        text = upload.read().decode("utf-8-sig") if upload else ""
    except UnicodeDecodeError:
        text = None
    if not text:
        flash(_("Choose a CSV file saved as UTF-8."), "error")
        return redirect(url_for("admin.providers"))
    try:
        count = import_csv(text, acting_user())
    except ValidationFailed as exc:
        db.session.rollback()
        page = paginate(select(Provider).order_by(Provider.code), per_page=50)
        return render_template(
            "admin/providers.html", page=page, form=UserActionForm(), import_errors=exc.fields or {}
        ), 422
    db.session.commit()
    flash(_("%(n)d services imported.", n=count), "success")
    return redirect(url_for("admin.providers"))


# Locations: add, rename, deactivate (never delete: records point at them) ------------------


def _locations_page(import_errors: dict[str, list[str]] | None = None) -> str:
    stmt = select(Location).order_by(Location.code)
    level = request.args.get("level", "")
    if level in service.LEVEL_LABELS:
        stmt = stmt.where(Location.level == level)
    q = request.args.get("q", "").strip().replace("\x00", "")[:120]
    if q:
        pattern = q.casefold()
        stmt = stmt.where(
            func.lower(Location.code).contains(pattern, autoescape=True)
            | func.lower(Location.name_fr).contains(pattern, autoescape=True)
            | func.lower(Location.name_en).contains(pattern, autoescape=True)
        )
    page = paginate(stmt, per_page=50)
    return render_template(
        "admin/locations.html",
        page=page,
        form=UserActionForm(),
        q=q,
        level=level,
        levels=[(k, str(v)) for k, v in service.LEVEL_LABELS.items()],
        import_errors=import_errors,
    )


@bp.route("/locations")
@requires("locations.manage")
def locations() -> str:
    return _locations_page()


@bp.route("/locations/new", methods=["GET", "POST"])
@requires("locations.manage")
def location_new() -> Response | tuple[str, int] | str:
    form = LocationForm()
    if form.validate_on_submit():
        try:
            location = service.create_location(
                {
                    "code": form.code.data or "",
                    "name_fr": form.name_fr.data or "",
                    "name_en": form.name_en.data or "",
                    "level": form.level.data or "",
                    "parent": form.parent.data or "",
                }
            )
        except ValidationFailed as exc:
            db.session.rollback()
            _apply_field_errors(form, exc)
        else:
            db.session.commit()
            flash(_("Location %(code)s created.", code=location.code), "success")
            return redirect(url_for("admin.locations"))
    status = 422 if request.method == "POST" else 200
    return render_template("admin/location_form.html", form=form, location=None), status


@bp.route("/locations/<code>", methods=["GET", "POST"])
@requires("locations.manage")
def location_edit(code: str) -> Response | tuple[str, int] | str:
    location = db.session.get(Location, code) if "\x00" not in code else None
    if location is None:
        raise NotFound()
    form = LocationForm(obj=location)
    form.code.render_kw = {"readonly": True}
    if form.validate_on_submit():
        try:
            changed = service.update_location(
                location, form.name_fr.data or "", form.name_en.data or "", bool(form.active.data)
            )
        except ValidationFailed as exc:
            db.session.rollback()
            _apply_field_errors(form, exc)
        else:
            db.session.commit()
            flash(_("Changes saved.") if changed else _("Nothing changed."), "success")
            return redirect(url_for("admin.locations"))
    status = 422 if request.method == "POST" else 200
    parent = db.session.get(Location, location.parent_code) if location.parent_code else None
    return render_template("admin/location_form.html", form=form, location=location, parent=parent), status


@bp.route("/locations/import", methods=["POST"])
@requires("locations.manage")
def locations_import() -> Response | tuple[str, int] | str:
    if not UserActionForm().validate_on_submit():
        raise ValidationFailed()
    upload = request.files.get("file")
    try:
        text = upload.read().decode("utf-8-sig") if upload else ""
    except UnicodeDecodeError:
        text = None
    if not text:
        flash(_("Choose a CSV file saved as UTF-8."), "error")
        return redirect(url_for("admin.locations"))
    try:
        created, renamed = service.import_locations(text)
    except ValidationFailed as exc:
        db.session.rollback()
        return _locations_page(exc.fields or {}), 422
    db.session.commit()
    flash(_("%(created)d locations created, %(renamed)d renamed.", created=created, renamed=renamed), "success")
    return redirect(url_for("admin.locations"))
