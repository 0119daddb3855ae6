"""The Flask application factory: it wires settings, extensions and blueprints, nothing more."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import click
from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.middleware.proxy_fix import ProxyFix

from config import ROOT, BaseConfig, ConfigurationError, config_from_env
from cpims.response import response_times
from crypto import KeyMaterialError, KeyRing
from gbvims import options
from gbvims.countries import country_data
from models.keys import use_key_settings

from . import errors, health, observability, security
from .extensions import babel, csrf, db, limiter, login_manager, migrate
from .i18n import select_locale
from .keys import APP_KEYS


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        # secure_delete: shredded keys and deleted rows are overwritten in the file, so a
        # stolen laptop's database does not keep them in free pages.
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()


event.listen(Engine, "connect", _sqlite_pragmas)


def _load_keyring(app: Flask) -> None:
    import logging
    import os
    from pathlib import Path

    from crypto import KeyFileWatcher, ShredJournal

    use_key_settings(APP_KEYS)  # the models read the keys kept below through it, not through Flask
    key_file = app.config.get("SUTURA_KEY_FILE")
    # The shred journal (crypto/shred_journal.py) lives beside the key file unless placed
    # elsewhere; a restore re-applies it so that a purged survivor never comes back.
    journal = app.config.get("SUTURA_SHRED_JOURNAL") or os.environ.get("SUTURA_SHRED_JOURNAL")
    if not journal and key_file:
        journal = str(Path(key_file).with_name(Path(key_file).stem + ".shred-journal"))
    if journal:
        app.extensions["sutura.shred_journal"] = ShredJournal(journal)
        target = Path(journal)
        existing = target
        while not existing.exists() and existing != existing.parent:
            existing = existing.parent  # the journal and its folders are created on first use
        writable = os.access(existing, os.W_OK)
        if not writable and click.get_current_context(silent=True) is None:
            # Every purge writes to it before committing: without it, no purge could succeed.
            raise ConfigurationError(
                f"the shred journal {target} cannot be written by this user; make its directory writable "
                "or set SUTURA_SHRED_JOURNAL (docs/backups.md)"
            )
    elif not app.config.get("TESTING"):
        logging.getLogger("sutura.keys").warning(
            "no shred journal (set SUTURA_SHRED_JOURNAL when the keys come from the environment): "
            "a restored backup could bring purged cases back, so `backup restore` is refused"
        )
    given = app.config.get("SUTURA_KEYRING")
    if isinstance(given, KeyRing):
        app.extensions["sutura.keyring"] = given
        return
    interval = float(
        app.config.get("SUTURA_KEYRING_CHECK_SECONDS") or os.environ.get("SUTURA_KEYRING_CHECK_SECONDS") or 2
    )
    try:
        if key_file:
            # Workers re-read the key file when it changes: rotation needs no restart.
            watcher = KeyFileWatcher(key_file, interval=interval)
            app.extensions["sutura.keyring_watcher"] = watcher
            app.extensions["sutura.keyring"] = watcher.ring
        else:
            app.extensions["sutura.keyring"] = KeyRing.from_env()
    except KeyMaterialError as exc:
        message = f"Sutura cannot start without its keys: {exc}"
        if click.get_current_context(silent=True) is None:
            raise ConfigurationError(message) from None
        # Under the CLI the app must load so that `keys generate` can create the key file;
        # anything that needs a key then fails with this message.
        app.extensions["sutura.keyring_error"] = message


def _adopt_country(app: Flask) -> None:
    try:
        zone = ZoneInfo(app.config["SUTURA_TIMEZONE"])
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigurationError(
            f"SUTURA_TIMEZONE: unknown time zone {app.config['SUTURA_TIMEZONE']!r} (e.g. Africa/Bamako)"
        ) from None
    app.extensions["sutura.timezone"] = zone
    options.adopt_country(country_data(app.config["SUTURA_COUNTRY"]))


def create_app(config: type[BaseConfig] | None = None, overrides: dict[str, Any] | None = None) -> Flask:
    config = config or config_from_env()
    config.validate()
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_object(config)
    app.config.update(overrides or {})
    if not app.config.get("SECRET_KEY"):
        raise ConfigurationError("SECRET_KEY is not set")
    try:  # a typo in the response times must stop the start, not a caseworker's page
        response_times(app.config.get("CP_RESPONSE_TIMES"))
    except (ValueError, TypeError, AttributeError) as exc:
        raise ConfigurationError(f"SUTURA_CP_RESPONSE_TIMES: {exc}") from None
    _load_keyring(app)
    _adopt_country(app)

    proxies = int(app.config.get("SUTURA_TRUSTED_PROXIES", 0) or 0)
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]

    observability.register(app)  # JSON logs with a request id, metrics at /metrics
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = health.engine_options(app.config)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    limiter.init_app(app)
    login_manager.init_app(app)

    from . import audit, auth, cli, templating
    from .stats import upkeep

    audit.init_app(app)
    upkeep.init_app(app)
    from .admin.views import bp as admin_bp
    from .api import bp as api_bp
    from .auth import team  # noqa: F401 — its routes attach to the auth blueprint
    from .auth.views import bp as auth_bp
    from .cases import (  # noqa: F401 — their routes attach to the cases blueprint
        assign_views,
        casework_views,
        draft_views,
        edit_views,
        print_views,
    )
    from .cases.views import bp as cases_bp
    from .cp.routes import bp as cp_bp
    from .main import bp as main_bp
    from .referrals.views import bp as referrals_bp
    from .stats.views import bp as stats_bp

    auth.register(app)
    app.register_blueprint(auth_bp)
    app.register_blueprint(main_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(cases_bp)
    app.register_blueprint(cp_bp)
    app.register_blueprint(referrals_bp)
    app.register_blueprint(stats_bp)
    app.register_blueprint(api_bp)
    csrf.exempt(api_bp)  # the API takes bearer tokens only, never the session cookie
    health.register(app)
    errors.register(app)
    security.register(app)
    templating.register(app)
    cli.register(app)
    return app
