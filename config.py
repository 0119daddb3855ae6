"""Settings for development, test and production.

Everything secret comes from the environment or the key file, never from this file. The
production settings refuse to boot without a real SECRET_KEY and key material: a server that
silently started with a default key would encrypt survivors' data under a key everyone has.
"""

from __future__ import annotations

import json
import os
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent
INSTANCE = ROOT / "instance"
SUPPORTED_LANGUAGES = ("fr", "en")


class ConfigurationError(RuntimeError):
    """The service cannot start safely with these settings (the message says what to set)."""


def database_url(value: str) -> str:
    """psycopg 3 is the PostgreSQL driver we ship: accept the plain postgresql:// form too."""
    for prefix in ("postgresql://", "postgres://"):
        if value.startswith(prefix):
            return "postgresql+psycopg://" + value[len(prefix):]
    return value


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _json_object(name: str) -> dict[str, Any]:
    raw = os.environ.get(name) or "{}"
    try:
        value = json.loads(raw)
    except ValueError:
        raise ConfigurationError(f"{name} is not valid JSON: {raw[:80]!r}") from None
    if not isinstance(value, dict):
        raise ConfigurationError(f"{name} must be a JSON object")
    return value


class BaseConfig:
    NAME = "base"
    SECRET_KEY: str | None = os.environ.get("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = database_url(os.environ.get("DATABASE_URL", f"sqlite:///{INSTANCE / 'sutura.db'}"))
    SQLALCHEMY_ENGINE_OPTIONS: dict[str, Any] = {"pool_pre_ping": True}
    # Key material: SUTURA_KEY_FILE or SUTURA_KEKS/SUTURA_INDEX_KEY/SUTURA_AUDIT_KEY.
    SUTURA_KEY_FILE: str | None = os.environ.get("SUTURA_KEY_FILE")
    SUTURA_REQUIRE_2FA = _flag("SUTURA_REQUIRE_2FA", True)

    BABEL_DEFAULT_LOCALE = "fr"
    BABEL_TRANSLATION_DIRECTORIES = str(ROOT / "translations")
    LANGUAGES = SUPPORTED_LANGUAGES

    SESSION_COOKIE_NAME = "sutura_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Strict"
    SESSION_COOKIE_SECURE = True
    PERMANENT_SESSION_LIFETIME = timedelta(minutes=30)
    SESSION_IDLE_TIMEOUT = timedelta(minutes=30)
    # Signed in at most this long, active or not: a shared or stolen device does not stay in.
    SESSION_ABSOLUTE_LIFETIME = timedelta(hours=12)
    WTF_CSRF_TIME_LIMIT = None  # bound to the session instead, which idles out after 30 min

    MAX_CONTENT_LENGTH = 1 * 1024 * 1024  # no form or JSON payload needs more
    LOGIN_MAX_FAILURES = 5
    LOGIN_LOCKOUT = timedelta(minutes=15)
    # Failures from every source together before the whole account pauses (guessing spread over
    # many addresses); per source, LOGIN_MAX_FAILURES pauses only that source.
    LOGIN_ACCOUNT_MAX_FAILURES = 50
    API_TOKEN_LIFETIME = timedelta(hours=8)

    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    # Redis down: limits fall back to each process's memory (with a warning), sign-in goes on.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    SUTURA_LOGIN_RATE_LIMIT = "20 per minute"

    # argon2id parameters (RFC 9106 second recommended option: 64 MiB, 3 passes).
    PASSWORD_TIME_COST = 3
    PASSWORD_MEMORY_COST = 64 * 1024
    PASSWORD_PARALLELISM = 4

    # Referral response times (referral/sla.py): rapes within 72 h go to health care at once.
    REFERRAL_HIGH_URGENCY_HOURS = 24
    REFERRAL_DEFAULT_HOURS = 72
    # The deployment's country (ISO 3166-1): its places and occupations extend the IRF's lists
    # (gbvims/countries/<code>.json), and its time zone is the one caseworkers record times in.
    SUTURA_COUNTRY = os.environ.get("SUTURA_COUNTRY", "ML")
    SUTURA_TIMEZONE = os.environ.get("SUTURA_TIMEZONE", "Africa/Bamako")

    # Child protection response times per risk level, in hours, over the defaults of
    # cpims/response.py (high: act within 24 h, review every 30 days …), e.g.
    # SUTURA_CP_RESPONSE_TIMES='{"high": {"act_within": 12}, "medium": {"review_every": 720}}'.
    CP_RESPONSE_TIMES: dict[str, dict[str, float]] = _json_object("SUTURA_CP_RESPONSE_TIMES")

    # Disclosure control: published counts from 1 to STATS_MIN_CELL − 1 are suppressed.
    STATS_MIN_CELL = int(os.environ.get("SUTURA_STATS_MIN_CELL", "5"))
    # Protecting a year of statistics is worked out in the background the first time its counts
    # are asked for; a request waits this long for it, then answers 503 "being prepared".
    STATS_WAIT_SECONDS = float(os.environ.get("SUTURA_STATS_WAIT_SECONDS", "20"))
    # Audit events recorded by a request are chained this long after its response, together
    # with every other response's of the moment (one seal per worker, not one per request);
    # 0 seals each response's own events as soon as it is sent.
    AUDIT_SEAL_DELAY = float(os.environ.get("SUTURA_AUDIT_SEAL_DELAY", "0.2"))

    # Operations (docs/monitoring.md): JSON logs, Prometheus metrics at /metrics, outages.
    SUTURA_LOG_LEVEL = os.environ.get("SUTURA_LOG_LEVEL", "INFO").upper()
    SUTURA_METRICS_ENABLED = _flag("SUTURA_METRICS_ENABLED", True)
    # Without a token /metrics answers only a scraper on this machine, not through a proxy.
    SUTURA_METRICS_TOKEN: str | None = os.environ.get("SUTURA_METRICS_TOKEN") or None
    SUTURA_RETRY_AFTER = int(os.environ.get("SUTURA_RETRY_AFTER", "30"))  # seconds, on every 503
    SUTURA_DB_CONNECT_TIMEOUT = int(os.environ.get("SUTURA_DB_CONNECT_TIMEOUT", "5"))
    # /readyz fails when the configured Redis does not answer (set 0 to only log it: sign-in
    # keeps working on per-process limits, see docs/monitoring.md).
    SUTURA_READY_NEEDS_REDIS = _flag("SUTURA_READY_NEEDS_REDIS", True)

    # How many reverse proxies (nginx, caddy) stand in front: their X-Forwarded-For and
    # X-Forwarded-Proto are believed, so rate limits and logs see the client's address.
    SUTURA_TRUSTED_PROXIES = int(os.environ.get("SUTURA_TRUSTED_PROXIES", "0") or 0)

    HSTS = False
    DEMO_DATA_ALLOWED = True

    @classmethod
    def validate(cls) -> None:
        """Raise ConfigurationError if the settings are unsafe to run with."""


def _development_secret() -> str:
    """A random secret kept in instance/ for `make run`; never used by production settings."""
    path = INSTANCE / "secret_key"
    if not path.exists():
        INSTANCE.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


class DevelopmentConfig(BaseConfig):
    NAME = "development"
    SECRET_KEY = os.environ.get("SECRET_KEY")

    @classmethod
    def validate(cls) -> None:
        if not cls.SECRET_KEY:
            cls.SECRET_KEY = _development_secret()
    SUTURA_KEY_FILE = os.environ.get("SUTURA_KEY_FILE", str(INSTANCE / "keys.json"))
    SESSION_COOKIE_SECURE = False  # served on http://127.0.0.1 by make run
    SUTURA_REQUIRE_2FA = _flag("SUTURA_REQUIRE_2FA", False)


class TestConfig(BaseConfig):
    NAME = "test"
    TESTING = True
    SECRET_KEY = "test-only-secret-key-not-for-any-real-use"  # noqa: S105 — tests only
    SQLALCHEMY_DATABASE_URI = database_url(os.environ.get("TEST_DATABASE_URL", "sqlite://"))
    SESSION_COOKIE_SECURE = False
    SUTURA_REQUIRE_2FA = False
    # A fast hash in tests only: argon2id still, with minimum cost.
    PASSWORD_TIME_COST = 1
    PASSWORD_MEMORY_COST = 8
    PASSWORD_PARALLELISM = 1
    RATELIMIT_STORAGE_URI = "memory://"
    AUDIT_SEAL_DELAY = 0.0  # tests see each response's events sealed when it closes


class ProductionConfig(BaseConfig):
    NAME = "production"
    HSTS = True
    DEMO_DATA_ALLOWED = False

    @classmethod
    def validate(cls) -> None:
        missing = []
        if not cls.SECRET_KEY or len(cls.SECRET_KEY) < 32:
            missing.append("SECRET_KEY (at least 32 random characters, e.g. `python -c 'import secrets; "
                           "print(secrets.token_urlsafe(48))'`)")
        if not (os.environ.get("SUTURA_KEY_FILE") or os.environ.get("SUTURA_KEKS")):
            missing.append("key material: SUTURA_KEY_FILE (made by `flask --app wsgi keys generate`) or "
                           "SUTURA_KEKS + SUTURA_INDEX_KEY + SUTURA_AUDIT_KEY")
        if not os.environ.get("DATABASE_URL"):
            missing.append("DATABASE_URL (e.g. postgresql+psycopg://sutura@db/sutura)")
        if missing:
            raise ConfigurationError("Sutura refuses to start in production; set: " + "; ".join(missing))


CONFIGS: dict[str, type[BaseConfig]] = {
    c.NAME: c for c in (DevelopmentConfig, TestConfig, ProductionConfig)
}


def config_from_env() -> type[BaseConfig]:
    """``SUTURA_ENV`` names the settings; production unless said otherwise (fail safe)."""
    name = os.environ.get("SUTURA_ENV", "production")
    try:
        return CONFIGS[name]
    except KeyError:
        raise ConfigurationError(f"SUTURA_ENV must be one of {', '.join(CONFIGS)}; got {name!r}") from None
