"""Where a page's time goes: for each page of the caseworker's mix and its bare baseline, the
time until the response is ready, the statements it runs, the time spent waiting on them, and
the rest (Python: the ORM, templates, decryption); then the seal a worker runs once the response
is sent, when each response seals its own events (``AUDIT_SEAL_DELAY`` 0, as in the tests).

In-process on PostgreSQL like ``bench_scale`` (a schema of its own, cases registered through the
service, dropped afterwards), ``PROFILE_CASES`` cases (default 10000), ``PROFILE_ROUNDS`` requests
each (default 30), medians. It prints a Markdown table for ``bench/PROFILE.md``, which is written
by hand around it (what the figures mean and the next step)."""

from __future__ import annotations

import os
import random
import statistics
import time
from collections.abc import Callable
from typing import Any

from flask import Flask
from sqlalchemy import event

from models import db

from .bench_scale import CASELOAD, _analyze, _bench_app, _drop, _grow, _register_caseload, _schema_url, _sign_in

CASES = int(os.environ.get("PROFILE_CASES", "10000"))
ROUNDS = int(os.environ.get("PROFILE_ROUNDS", "30"))


def _profile(app: Flask, call: Callable[[], Any]) -> tuple[float, int, float, float]:
    """Medians of: response ms, statements until the response, ms waiting on them, seal ms."""
    with app.app_context():
        engine = db.engine
    waits: list[float] = []
    started: dict[int, float] = {}

    def before(_conn: Any, cursor: Any, *_args: Any) -> None:
        started[id(cursor)] = time.perf_counter()

    def after(_conn: Any, cursor: Any, *_args: Any) -> None:
        waits.append((time.perf_counter() - started.pop(id(cursor))) * 1000)

    call().close()
    responses, statements, sql, seals = [], [], [], []
    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    try:
        for _ in range(ROUNDS):
            waits.clear()
            start = time.perf_counter()
            response = call()
            ready = time.perf_counter()
            if response.status_code != 200:
                raise RuntimeError(f"{response.status_code}: {response.get_data(as_text=True)[:300]}")
            in_request = list(waits)
            response.close()
            seals.append((time.perf_counter() - ready) * 1000)
            responses.append((ready - start) * 1000)
            statements.append(len(in_request))
            sql.append(sum(in_request))
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)
    median = statistics.median
    return median(responses), int(median(statements)), median(sql), median(seals)


def run() -> str:
    schema, url = _schema_url()
    try:
        app = _bench_app(url)
        rng = random.Random(20261201)  # noqa: S311 — synthetic data, not secrets
        _register_caseload(app, rng)
        _grow(app, CASELOAD, CASES, rng)
        _analyze(url)
        web, api = _sign_in(app, "awa")
        case_id = web.get("/api/v1/cases", headers=api).get_json()["items"][0]["id"]
        pages: list[tuple[str, Callable[[], Any]]] = [
            ("`GET /account` (bare)", lambda: web.get("/account")),
            ("`GET /cases` (list page)", lambda: web.get("/cases")),
            ("`GET /cases/<id>` (case page)", lambda: web.get(f"/cases/{case_id}")),
            ("`GET /api/v1/cases`", lambda: web.get("/api/v1/cases", headers=api)),
            ("`GET /api/v1/me` (bare)", lambda: web.get("/api/v1/me", headers=api)),
        ]
        lines = [
            f"{CASES:,} cases, the caseworker's {CASELOAD}; medians of {ROUNDS} requests "
            f"({time.strftime('%Y-%m-%d', time.gmtime())}, `python -m bench.profile_pages`).",
            "",
            "| request | response ms | statements | ms waiting on them | the rest (Python) ms "
            "| seal after the response ms |",
            "|---|---|---|---|---|---|",
        ]
        for name, call in pages:
            response, count, sql, seal = _profile(app, call)
            seal_text = f"{seal:.1f}" if seal >= 0.5 else "—"
            lines.append(f"| {name} | {response:.1f} | {count} | {sql:.1f} | {response - sql:.1f} | {seal_text} |")
    finally:
        _drop(schema)
    table = "\n".join(lines)
    print(table)
    return table


if __name__ == "__main__":
    run()
