"""Settings: production refuses to boot without real secrets and keys."""

from __future__ import annotations

import pytest

from app import create_app
from config import ConfigurationError, ProductionConfig, config_from_env, database_url


def test_production_without_secret_or_keys_names_what_is_missing(monkeypatch) -> None:
    monkeypatch.setattr(ProductionConfig, "SECRET_KEY", None)
    for name in ("SUTURA_KEY_FILE", "SUTURA_KEKS", "DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(ConfigurationError) as refused:
        create_app(ProductionConfig)
    message = str(refused.value)
    assert "SECRET_KEY" in message and "SUTURA_KEY_FILE" in message and "DATABASE_URL" in message


def test_production_with_a_short_secret_is_refused(monkeypatch) -> None:
    monkeypatch.setattr(ProductionConfig, "SECRET_KEY", "changeme")
    monkeypatch.setenv("SUTURA_KEKS", "x")
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    with pytest.raises(ConfigurationError, match="SECRET_KEY"):
        ProductionConfig.validate()


def test_production_with_a_missing_key_file_is_refused(monkeypatch, tmp_path) -> None:
    monkeypatch.setattr(ProductionConfig, "SECRET_KEY", "s" * 48)
    monkeypatch.setenv("SUTURA_KEY_FILE", str(tmp_path / "absent.json"))
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    with pytest.raises(ConfigurationError, match="absent.json does not exist"):
        create_app(ProductionConfig, {"SUTURA_KEY_FILE": str(tmp_path / "absent.json")})


def test_environment_selects_settings_and_defaults_to_production(monkeypatch) -> None:
    monkeypatch.delenv("SUTURA_ENV", raising=False)
    assert config_from_env() is ProductionConfig
    monkeypatch.setenv("SUTURA_ENV", "staging")
    with pytest.raises(ConfigurationError, match="SUTURA_ENV"):
        config_from_env()


def test_postgres_urls_use_psycopg3() -> None:
    assert database_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert database_url("sqlite:///x.db") == "sqlite:///x.db"


def test_child_protection_response_times_are_checked_at_start(monkeypatch) -> None:
    from config import _json_object

    monkeypatch.setenv("SUTURA_CP_RESPONSE_TIMES", '{"high": {"act_within": 12}}')
    assert _json_object("SUTURA_CP_RESPONSE_TIMES") == {"high": {"act_within": 12}}
    monkeypatch.setenv("SUTURA_CP_RESPONSE_TIMES", "{high: 12")
    with pytest.raises(ConfigurationError, match="not valid JSON"):
        _json_object("SUTURA_CP_RESPONSE_TIMES")
    from config import TestConfig

    with pytest.raises(ConfigurationError, match="SUTURA_CP_RESPONSE_TIMES"):
        create_app(TestConfig, {"CP_RESPONSE_TIMES": {"urgent": {"act_within": 1}}, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
