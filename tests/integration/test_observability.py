"""What operators see: JSON log lines with a request id and no personal data, and metrics at
/metrics that only the monitoring system can read."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import text

from app.extensions import limiter
from models import db

from ..conftest import make_app, post_form
from .cases_helpers import case_payload, make_case

NAME = "Kadidiatou"
FAMILY = "Sangaré"
PHONE = "+223 66 41 07 93"



def lines(buffer: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in buffer.getvalue().splitlines() if line.strip()]


def test_one_json_line_per_request_with_the_request_id(app: Flask, signed_in, logs: io.StringIO) -> None:
    client = signed_in("caseworker")
    response = client.get("/cases?q=secret&status=open")
    request_id = response.headers["X-Request-Id"]
    assert len(request_id) >= 16
    entries = [e for e in lines(logs) if e.get("request_id") == request_id]
    assert len(entries) == 1
    entry = entries[0]
    assert entry["event"] == "request"
    assert entry["method"] == "GET" and entry["path"] == "/cases" and entry["status"] == 200
    assert entry["endpoint"] == "cases.index" and isinstance(entry["duration_ms"], float)
    assert entry["level"] == "info" and entry["time"].endswith("Z")
    assert "secret" not in logs.getvalue()
    # Each request its own id; one sent by a client is ignored unless a trusted proxy sent it.
    assert client.get("/cases").headers["X-Request-Id"] != request_id
    assert client.get("/", headers={"X-Request-Id": "abcdefgh12345678"}).headers["X-Request-Id"] != "abcdefgh12345678"


def test_a_trusted_proxy_names_the_request(app: Flask) -> None:
    proxied = make_app(app.config["SQLALCHEMY_DATABASE_URI"], SUTURA_TRUSTED_PROXIES=1)
    client = proxied.test_client()
    assert client.get("/healthz", headers={"X-Request-Id": "nginx-0123456789abcdef"}).headers["X-Request-Id"] == \
        "nginx-0123456789abcdef"
    assert client.get("/healthz", headers={"X-Request-Id": "bad id with spaces"}).headers["X-Request-Id"] != \
        "bad id with spaces"
    limiter.init_app(app)


def test_searches_and_failures_leave_no_personal_data_in_the_logs(app: Flask, signed_in, logs: io.StringIO) -> None:
    client = signed_in("caseworker", "awa")
    make_case(app, "awa", case_payload(given_name=NAME, family_name=FAMILY, phone=PHONE))

    found = post_form(client, "/cases", {"q": NAME})
    assert found.status_code == 200 and NAME in found.get_data(as_text=True)
    assert post_form(client, "/cases", {"q": PHONE}).status_code == 200

    # A failing request whose SQL carries the name and the phone as parameters, then one whose
    # exception message quotes them: both are logged, neither value is.
    def failing_query() -> str:
        db.session.execute(text("SELECT no_such_column FROM cases WHERE id = :name OR id = :phone"),
                           {"name": f"{NAME} {FAMILY}", "phone": PHONE})
        return "unreachable"

    def failing_code() -> str:
        raise ValueError(f"could not parse {NAME} {FAMILY} {PHONE}")

    original = app.view_functions["main.home"]
    try:
        app.view_functions["main.home"] = failing_query
        failed_sql = client.get("/", query_string={"q": NAME})
        app.view_functions["main.home"] = failing_code
        failed_code = client.get("/")
    finally:
        app.view_functions["main.home"] = original
    assert failed_sql.status_code == 500 and failed_code.status_code == 500  # a bug, not an outage

    captured = logs.getvalue()
    for secret in (NAME, FAMILY, PHONE, "66 41 07 93", "Kadid"):
        assert secret not in captured
    for sql_trace in ("[SQL", "parameters", "no_such_column", "SELECT", "could not parse"):
        assert sql_trace not in captured

    entries = lines(logs)
    errors = [e for e in entries if e["event"] in ("unhandled_error", "database_unavailable")]
    failed_ids = {failed_sql.headers["X-Request-Id"], failed_code.headers["X-Request-Id"]}
    assert {e["request_id"] for e in errors} == failed_ids
    by_request = {e["request_id"]: e for e in errors}
    assert by_request[failed_code.headers["X-Request-Id"]]["error"] == "builtins.ValueError"
    assert any("failing_code" in frame for frame in by_request[failed_code.headers["X-Request-Id"]]["stack"])
    assert by_request[failed_sql.headers["X-Request-Id"]]["error"].startswith("sqlalchemy.exc.")
    assert all(e["path"] in ("/", "/cases", "/login") for e in entries if e["event"] == "request")


def test_sql_errors_hide_their_parameters(app: Flask) -> None:
    with app.app_context():
        try:
            db.session.execute(text("SELECT no_such_column FROM cases WHERE id = :name"), {"name": NAME})
        except Exception as exc:  # noqa: BLE001
            assert NAME not in str(exc)
        else:
            pytest.fail("the query should have failed")
        finally:
            db.session.rollback()


def test_metrics_count_requests_by_endpoint_and_status(app: Flask, client) -> None:
    client.get("/login")
    client.get("/no-such-page")
    body = client.get("/metrics").get_data(as_text=True)  # the test client is loopback
    assert "sutura_http_request_duration_seconds_bucket" in body
    assert 'endpoint="auth.login"' in body and 'status="200"' in body
    assert 'status="404"' in body
    assert "/no-such-page" not in body  # grouped by endpoint: no series per URL (or per record)
    assert 'endpoint="health.healthz"' not in body


def test_metrics_are_not_public(app: Flask, client) -> None:
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "198.51.100.7"}).status_code == 404
    # Through a reverse proxy on the same machine: still refused.
    assert client.get("/metrics", headers={"X-Forwarded-For": "198.51.100.7"}).status_code == 404

    guarded = make_app(app.config["SQLALCHEMY_DATABASE_URI"], SUTURA_METRICS_TOKEN="s3cret-scrape-token")
    scraper = guarded.test_client()
    assert scraper.get("/metrics").status_code == 404  # loopback is not enough once a token is set
    assert scraper.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 404
    ok = scraper.get("/metrics", headers={"Authorization": "Bearer s3cret-scrape-token",
                                          "X-Forwarded-For": "198.51.100.7"})
    assert ok.status_code == 200 and "sutura_http_request" in ok.get_data(as_text=True)
    limiter.init_app(app)


def test_many_apps_in_one_process_each_have_their_metrics(app: Flask) -> None:
    first = make_app(app.config["SQLALCHEMY_DATABASE_URI"])
    second = make_app(app.config["SQLALCHEMY_DATABASE_URI"])
    first.test_client().get("/login")
    assert first.test_client().get("/metrics").status_code == 200
    assert second.test_client().get("/metrics").status_code == 200
    disabled = make_app(app.config["SQLALCHEMY_DATABASE_URI"], SUTURA_METRICS_ENABLED=False)
    assert disabled.test_client().get("/metrics").status_code == 404
    limiter.init_app(app)
