"""Sign in (password, then code), sign out, account: password, second factor, language."""

from __future__ import annotations

import time
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from models import User, db, utcnow

from .. import audit, passwords, totp
from ..errors import LockedOut
from ..extensions import limiter
from ..policy import requires
from . import acting_user, service, sessions, user_of
from .forms import ChangePasswordForm, CodeForm, LanguageForm, LoginForm, WorkPhoneForm
from .service import Outcome

bp = Blueprint("auth", __name__)
PENDING_SECONDS = 300  # time allowed between the password and the code


def _login_limit() -> str:
    return str(current_app.config["SUTURA_LOGIN_RATE_LIMIT"])


def safe_next(target: str | None) -> str:
    """Only same-site paths: an open redirect would make a convincing phishing link."""
    if target:
        parts = urlsplit(target)
        # "//host" and "/\\host" both leave the site in browsers.
        if not parts.scheme and not parts.netloc and target.startswith("/") and target[1:2] not in ("/", "\\"):
            return target
    return url_for("main.home")


def _start_session(user: User, next_url: str | None, method: str) -> Response:
    language, chosen = session.get("lang"), session.get("lang_chosen")
    session.clear()  # a fresh session at sign-in: a planted session id is worth nothing
    login_user(user)
    sessions.start(user)
    if language in current_app.config["LANGUAGES"] and chosen:
        # Chosen on the sign-in page just now: it becomes the user's language, like a choice
        # made once signed in. The language a sign-out leaves behind is not a choice (it may be
        # another person's on a shared phone): it only fills in for a user who has none.
        user.language = language
        session["lang"] = language
    elif language and not user.language:
        session["lang"] = language
    if current_app.config["SUTURA_REQUIRE_2FA"] and not user.totp_enabled:
        session["enrol_required"] = True
    if user.must_change_password:
        session["password_change_required"] = True
    service.record_success(user, method=method)
    db.session.commit()
    if session.get("password_change_required"):
        flash(_("Choose your own password to continue: the one you were given is temporary."), "info")
        return redirect(url_for("auth.change_password"))
    if session.get("enrol_required"):
        flash(_("Set up your second factor to continue."), "info")
        return redirect(url_for("auth.enrol_2fa"))
    return redirect(safe_next(next_url))


def _refusal(form: LoginForm | CodeForm, outcome: Outcome, template: str) -> tuple[str, int]:
    if outcome is Outcome.LOCKED:
        message, status = str(LockedOut.message), 429
    elif outcome is Outcome.BAD_CODE:
        message, status = _("This code is not valid or was already used. Wait for the next code."), 401
    else:
        message, status = _("Wrong username or password."), 401
    return render_template(template, form=form, error=message, refused=True), status


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login() -> Response | str | tuple[str, int]:
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm(next=request.args.get("next", ""))
    if not form.validate_on_submit():
        return render_template("auth/login.html", form=form), 400 if request.method == "POST" else 200
    attempt = service.check_password(form.username.data or "", form.password.data or "")
    if attempt.outcome is Outcome.NEED_CODE and attempt.user is not None:
        db.session.commit()  # keeps a rehashed password
        kept = {name: session[name] for name in ("lang", "lang_chosen") if name in session}
        session.clear()
        session.update(kept)  # the code page stays in the language chosen, and so does the account
        session["pending"] = {"user": attempt.user.get_id(), "at": time.time(), "next": form.next.data or ""}
        return redirect(url_for("auth.login_code"))
    if attempt.outcome is Outcome.OK and attempt.user is not None:
        return _start_session(attempt.user, form.next.data, "password")
    return _refusal(form, attempt.outcome, "auth/login.html")


def _pending_user() -> User | None:
    pending = session.get("pending")
    if not isinstance(pending, dict) or time.time() - float(pending.get("at", 0)) > PENDING_SECONDS:
        return None
    return user_of(str(pending.get("user", "")))


@bp.route("/login/code", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login_code() -> Response | str | tuple[str, int]:
    user = _pending_user()
    if user is None:
        session.pop("pending", None)
        flash(_("Sign in again: the time for the code ran out."), "info")
        return redirect(url_for("auth.login"))
    form = CodeForm()
    if not form.validate_on_submit():
        return render_template("auth/code.html", form=form), 400 if request.method == "POST" else 200
    attempt = service.check_code(user, form.code.data or "")
    if attempt.outcome is Outcome.OK:
        return _start_session(user, session.get("pending", {}).get("next"), "password+totp")
    if attempt.outcome is Outcome.LOCKED:
        session.pop("pending", None)
    return _refusal(form, attempt.outcome, "auth/code.html")


@bp.route("/logout", methods=["POST"])
@login_required
def logout() -> Response:
    audit.record("auth.logout", target_type="user", target_id=current_user.id)
    sessions.end_current("logout")
    db.session.commit()
    language = current_user.language or session.get("lang")
    logout_user()
    session.clear()
    if language:
        session["lang"] = language  # the login page stays in the language just used
    flash(_("You are signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/language", methods=["POST"])
def set_language() -> Response:
    form = LanguageForm()
    if form.validate_on_submit():
        lang = form.lang.data
        session["lang"] = lang
        if current_user.is_authenticated:
            current_user.language = lang
            db.session.commit()
        else:
            session["lang_chosen"] = True  # saved as the user's language at sign-in
    return redirect(safe_next(form.next.data))


@bp.route("/account")
@requires("account.manage")
def account() -> str:
    return render_template("auth/account.html")


@bp.route("/account/work-phone", methods=["GET", "POST"])
@requires("account.manage")
def work_phone() -> Response | str | tuple[str, int]:
    """The user's own work phone: referral packets carry it so that a service can call back."""
    user = acting_user()
    form = WorkPhoneForm(obj=user if request.method == "GET" else None)
    if form.validate_on_submit():
        phone = form.work_phone.data or None
        if phone != user.work_phone:
            user.work_phone = phone
            audit.record("account.updated", target_type="user", target_id=user.id, details={"fields": ["work_phone"]})
            db.session.commit()
        flash(_("Your work phone was saved."), "success")
        return redirect(url_for("auth.account"))
    status = 422 if request.method == "POST" else 200
    return render_template("auth/work_phone.html", form=form), status


@bp.route("/account/password", methods=["GET", "POST"])
@requires("account.manage")
def change_password() -> Response | str | tuple[str, int]:
    form = ChangePasswordForm()
    user = acting_user()
    if form.validate_on_submit():
        if not passwords.verify_password(user.password_hash, form.current.data or ""):
            form.current.errors = [_("The current password is wrong.")]
        elif problems := passwords.password_problems(form.new.data or "", user.username):
            form.new.errors = problems
        else:
            user.password_hash = passwords.hash_password(form.new.data or "")
            user.password_changed_at, user.must_change_password = utcnow(), False
            enrol_required = session.get("enrol_required")
            sessions.end_all(user, "password_changed")  # every other session and API token dies now
            audit.record("account.password_changed", target_type="user", target_id=user.id)
            session.clear()
            login_user(user)
            sessions.start(user)
            db.session.commit()
            if enrol_required:
                session["enrol_required"] = True
                flash(_("Your password was changed. Now set up your second factor."), "success")
                return redirect(url_for("auth.enrol_2fa"))
            flash(_("Your password was changed. Other sessions were signed out."), "success")
            return redirect(url_for("auth.account"))
    status = 422 if request.method == "POST" else 200
    return render_template("auth/password.html", form=form), status


@bp.route("/account/2fa", methods=["GET", "POST"])
@login_required
def enrol_2fa() -> Response | str | tuple[str, int]:
    user = acting_user()
    if user.totp_enabled:
        return render_template("auth/enrol.html", enabled=True)
    if not user.totp_seed:
        user.ensure_data_key()
        user.totp_seed = totp.new_seed()
        db.session.commit()
    seed = user.totp_seed or ""
    form = CodeForm()
    if form.validate_on_submit():
        if totp.verify_and_consume(user, form.code.data or ""):
            user.totp_enabled = True
            audit.record("account.2fa_enrolled", target_type="user", target_id=user.id)
            db.session.commit()
            session.pop("enrol_required", None)
            flash(_("Second factor set up. You will be asked for a code at each sign-in."), "success")
            return redirect(url_for("main.home"))
        form.code.errors = [_("This code does not match. Check the time on your phone and try the next code.")]
    uri = totp.provisioning_uri(user, seed)
    grouped = " ".join(seed[i : i + 4] for i in range(0, len(seed), 4))
    status = 422 if request.method == "POST" else 200
    return render_template("auth/enrol.html", enabled=False, form=form, qr=totp.qr_svg(uri), seed=grouped), status
