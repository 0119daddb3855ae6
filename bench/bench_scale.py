"""Country scale on PostgreSQL: the requests a caseworker and a supervisor make, as the country's
caseload grows and one caseworker's stays the same.

Cases are registered through the service itself (real encryption, data keys and blind indexes),
in a schema of their own dropped afterwards. One agency holds 80 % of the cases; the caseworker
measured owns ``CASELOAD`` of them whatever the size; the survivor searched for ("Fatoumata
Traoré", registered first) has six namesakes and shares her given or family name with thousands.

Each request is timed in alternation with its baseline on the same app and database (a bare
authenticated route: ``GET /api/v1/me`` for the API, ``GET /account`` for pages), in-process
through the Flask test client; figures are min and median in milliseconds and the ratio of the
medians. Sizes come from ``BENCH_CASES`` (default ``2000,10000``; the issue's ``10000,100000``
takes long: registration runs at a few milliseconds per case). ``bench/SCALE.md`` is written,
and ``bench/RESULTS.md`` assembled.
"""

from __future__ import annotations

import os
import platform
import random
import re
import statistics
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from flask import Flask
from flask.testing import FlaskClient
from flask_login import login_user
from sqlalchemy import create_engine, event, text

from app import create_app
from app.cases import service
from app.passwords import hash_password
from config import TestConfig, database_url
from crypto import KeyRing
from models import Agency, AuditHead, Base, User, db
from models.location import load_locations

from . import results

SIZES = [int(n) for n in os.environ.get("BENCH_CASES", "2000,10000").split(",") if n.strip()]
CASELOAD = 60
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "15"))
URL = database_url(
    os.environ.get("BENCH_DATABASE_URL")
    or os.environ.get("TEST_DATABASE_URL")
    or "postgresql://postgres@127.0.0.1:5432/test"
)
RESULTS = Path(__file__).with_name("SCALE.md")
PASSWORD = "bench-password-long-enough"  # noqa: S105 — a throwaway account in a throwaway schema
GIVEN = (
    "Fatoumata",
    "Aminata",
    "Mariam",
    "Kadidia",
    "Hawa",
    "Oumou",
    "Djénéba",
    "Fanta",
    "Rokia",
    "Awa",
    "Bintou",
    "Assitan",
    "Salimata",
    "Nana",
    "Korotoumou",
    "Maimouna",
    "Ramata",
    "Sali",
    "Adama",
    "Aïssata",
)
FAMILY = (
    "Traoré",
    "Coulibaly",
    "Diarra",
    "Keïta",
    "Maïga",
    "Touré",
    "Cissé",
    "Diallo",
    "Sangaré",
    "Konaté",
    "Dembélé",
    "Sidibé",
    "Doumbia",
    "Camara",
    "Kanté",
    "Sissoko",
    "Dicko",
    "Bah",
    "Samaké",
    "Koné",
)
LOCATIONS = ("ML-7-03", "ML-6", "ML-5", "ML-4", "ML-8")


# request → (median under this many ms, or None; at most this ratio to its baseline)
TARGETS: dict[str, tuple[float | None, float]] = {
    "caseworker's case list page (GET /cases)": (20.0, 3.0),
    "GET /api/v1/cases (caseworker)": (None, 3.0),
}


@dataclass
class Row:
    size: int
    request: str
    baseline: str
    min_ms: float
    median_ms: float
    base_median_ms: float
    statements: int
    sealing: int  # statements the worker runs after the response is sent (the audit events' seal)
    note: str = ""

    @property
    def ratio(self) -> float:
        return self.median_ms / self.base_median_ms


def _schema_url() -> tuple[str, str]:
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    with create_engine(URL, isolation_level="AUTOCOMMIT").connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in URL else "?"
    return schema, f"{URL}{separator}options={quote(f'-csearch_path={schema}')}"


def _drop(schema: str) -> None:
    with create_engine(URL, isolation_level="AUTOCOMMIT").connect() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


def _bench_app(url: str) -> Flask:
    """The service on the benchmark's schema, under a key ring of its own, set up by ``_setup``."""
    app = create_app(
        TestConfig, {"SQLALCHEMY_DATABASE_URI": url, "SUTURA_KEYRING": KeyRing.generate(), "RATELIMIT_ENABLED": False}
    )
    _setup(app)
    return app


def _setup(app: Flask) -> None:
    with app.app_context():
        Base.metadata.create_all(db.engine)
        db.session.add(AuditHead(id=1, last_seq=0, last_hash=""))
        load_locations(db.session)
        big = Agency(code="BIG", name="Big", isp_signed=True)
        small = Agency(code="SMALL", name="Small", isp_signed=True)
        people = [
            User(username="awa", role="caseworker", agency=big),
            User(username="fatou", role="supervisor", agency=big),
            *(User(username=f"cw{n}", role="caseworker", agency=big) for n in range(40)),
            *(User(username=f"sm{n}", role="caseworker", agency=small) for n in range(10)),
        ]
        digest = hash_password(PASSWORD)
        for user in people:
            user.password_hash = digest
            user.role_approved_at = db.func.now()
        db.session.add_all([big, small, *people])
        db.session.commit()


def _register(app: Flask, username: str, people: list[dict[str, Any]]) -> None:
    with app.test_request_context():
        user = db.session.query(User).filter_by(username=username).one()
        login_user(user)
        for n, person in enumerate(people, 1):
            service.create_case(
                user,
                {
                    "kind": "gbv",
                    "location": person.pop("location"),
                    "survivor": {"age": 25, "sex": "female", **person},
                    "consent": {"services": True, "reporting": True, "given_by": "survivor"},
                },
            )
            if n % 500 == 0:
                db.session.commit()
        db.session.commit()


def _register_caseload(app: Flask, rng: random.Random) -> None:
    """The measured caseworker's own cases, the same ``CASELOAD`` whatever the country's size."""
    _register(
        app,
        "awa",
        [
            {"given_name": rng.choice(GIVEN), "family_name": rng.choice(FAMILY), "location": "ML-7-03"}
            for _ in range(CASELOAD)
        ],
    )


def _analyze(url: str) -> None:
    """Fresh planner statistics, as a database that has lived with its data would have."""
    with create_engine(url, isolation_level="AUTOCOMMIT").connect() as conn:
        conn.execute(text("VACUUM ANALYZE"))


def _grow(app: Flask, have: int, want: int, rng: random.Random) -> None:
    """Register cases until the country holds ``want``: 80 % in the big agency, among 40 other
    caseworkers (the one measured keeps her caseload), 20 % in the small one."""
    by_owner: dict[str, list[dict[str, Any]]] = {}
    for n in range(have, want):
        owner = f"cw{rng.randrange(40)}" if rng.random() < 0.8 else f"sm{rng.randrange(10)}"
        by_owner.setdefault(owner, []).append(
            {
                "given_name": rng.choice(GIVEN),
                "family_name": rng.choice(FAMILY),
                "phone": f"+223 7{n // 1_000_000 % 10} {n % 1_000_000:06d}",
                "location": rng.choice(LOCATIONS),
            }
        )
    for owner, people in by_owner.items():
        _register(app, owner, people)


def _sign_in(app: Flask, username: str) -> tuple[FlaskClient, dict[str, str]]:
    web = app.test_client()
    page = web.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
        r'name="csrf_token" value="([^"]+)"', page
    )
    if token is None:
        raise RuntimeError("no CSRF token on the sign-in page")
    signed = web.post("/login", data={"csrf_token": token[1], "username": username, "password": PASSWORD})
    if signed.status_code != 302:
        raise RuntimeError(f"{username} could not sign in: {signed.status_code}")
    api = web.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD}).get_json()
    return web, {"Authorization": f"Bearer {api['token']}"}


def _statements(app: Flask, call: Callable[[], Any]) -> tuple[int, int]:
    """Statements until the response is ready, and after it is sent (when the server closes it)."""
    count = 0

    def listener(*_args: Any) -> None:
        nonlocal count
        count += 1

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", listener)
    try:
        response = call()
        in_request = count
        response.close()
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    return in_request, count - in_request


def _timed(call: Callable[[], Any]) -> float:
    """Until the response is ready (what the person waits for); then it is closed, as a server
    does once it has sent it, and the worker seals the request's audit events."""
    start = time.perf_counter()
    response = call()
    elapsed = time.perf_counter() - start
    if response.status_code != 200:  # a fast error is no benchmark
        raise RuntimeError(f"{response.status_code}: {response.get_data(as_text=True)[:300]}")
    response.close()
    return elapsed * 1000


def _measure(
    app: Flask, size: int, name: str, call: Callable[[], Any], base_name: str, base: Callable[[], Any], note: str = ""
) -> Row:
    call().close(), base().close()  # warm
    times, base_times = [], []
    for _ in range(ROUNDS):
        base_times.append(_timed(base))
        times.append(_timed(call))
    return Row(
        size,
        name,
        base_name,
        min(times),
        statistics.median(times),
        statistics.median(base_times),
        *_statements(app, call),
        note,
    )


def _found(web: FlaskClient, headers: dict[str, str], wanted: str) -> tuple[bool, str]:
    """Whether the survivor searched for is in the results (paging on until she is, or until the
    results end), and on which page, with the total as the service gave it there."""
    page = 1
    while True:
        body = web.post(
            "/api/v1/cases/search", json={"q": "Fatoumata Traoré", "page": page}, headers=headers
        ).get_json()
        total = f"total {body['total']}" if body["total_exact"] else f"more than {page * 50}"
        if wanted in [c["id"] for c in body["items"]]:
            return True, f"page {page}, {total}"
        if body["total_exact"] and page * 50 >= body["total"]:
            return False, total
        page += 1


Signed = tuple[FlaskClient, dict[str, str]]


def _requests(app: Flask, size: int, caseworker: Signed, supervisor: Signed, found: str) -> list[Row]:
    (awa, awa_api), (fatou, fatou_api) = caseworker, supervisor

    def me() -> Any:
        return awa.get("/api/v1/me", headers=awa_api)

    def account() -> Any:
        return awa.get("/account")

    def search(q: str) -> Callable[[], Any]:
        return lambda: fatou.post("/api/v1/cases/search", json={"q": q}, headers=fatou_api)

    return [
        _measure(
            app, size, "caseworker's case list page (GET /cases)", lambda: awa.get("/cases"), "GET /account", account
        ),
        _measure(
            app,
            size,
            "GET /api/v1/cases (caseworker)",
            lambda: awa.get("/api/v1/cases", headers=awa_api),
            "GET /api/v1/me",
            me,
        ),
        _measure(
            app,
            size,
            "full-name search by the supervisor (80 % of cases)",
            search("Fatoumata Traoré"),
            "GET /api/v1/me",
            me,
            note=found,
        ),
        _measure(app, size, "phone search by the supervisor", search("76 99 99 99"), "GET /api/v1/me", me),
    ]


def run() -> list[Row]:
    schema, url = _schema_url()
    rows: list[Row] = []
    try:
        app = _bench_app(url)
        rng = random.Random(20261130)  # noqa: S311 — synthetic data, not secrets
        first = {"given_name": "Fatoumata", "family_name": "Traoré", "phone": "+223 76 99 99 99", "location": "ML-7-03"}
        _register(app, "fatou", [first])
        _register(
            app, "fatou", [{"given_name": "Fatoumata", "family_name": "Traoré", "location": "ML-6"} for _ in range(6)]
        )
        _register_caseload(app, rng)
        with app.app_context():
            wanted = db.session.execute(text("SELECT id FROM cases ORDER BY created_at LIMIT 1")).scalar_one()
        have = 7 + CASELOAD
        for size in SIZES:
            started = time.perf_counter()
            _grow(app, have, size, rng)
            grown = time.perf_counter() - started
            have = max(have, size)
            _analyze(url)
            awa_web, awa_api = _sign_in(app, "awa")
            fatou_web, fatou_api = _sign_in(app, "fatou")
            found, where = _found(fatou_web, fatou_api, wanted)
            print(f"{size} cases: grown in {grown:.0f} s; the survivor searched for found: {found} ({where})")

            rows += _requests(app, size, (awa_web, awa_api), (fatou_web, fatou_api), f"found: {found} ({where})")
    finally:
        _drop(schema)
    _write(rows)
    return rows


def _write(rows: list[Row]) -> None:
    from importlib.metadata import version

    lines = [
        "# Country scale — `make bench` (bench/bench_scale.py)",
        "",
        f"Run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on {platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}, Flask {version('flask')}, "
        f"SQLAlchemy {version('sqlalchemy')}, PostgreSQL (`BENCH_DATABASE_URL`). In-process (Flask test "
        f"client), {ROUNDS} alternated rounds per figure; the caseworker measured owns {CASELOAD} cases "
        "at every size. Times run until the response is ready; the statements after it (sealing the "
        "audit events into the chain once the response is sent) are counted apart. Ratio: median of the "
        "request over the median of its baseline, same run.",
        "",
        "| cases | request | min ms | median ms | baseline | baseline median ms | ratio | statements "
        "(request + after) | note |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r.size:,} | {r.request} | {r.min_ms:.1f} | {r.median_ms:.1f} | {r.baseline} | "
            f"{r.base_median_ms:.1f} | {r.ratio:.1f}× | {r.statements} + {r.sealing} | {r.note} |"
        )
    sizes = sorted({r.size for r in rows})
    if len(sizes) > 1:
        lines += ["", f"Growth from {sizes[0]:,} to {sizes[-1]:,} cases (median over median):", ""]
        for request in dict.fromkeys(r.request for r in rows):
            small = next(r for r in rows if r.request == request and r.size == sizes[0])
            large = next(r for r in rows if r.request == request and r.size == sizes[-1])
            lines.append(f"- {request}: {large.median_ms / small.median_ms:.2f}×")
    lines += ["", "Targets (issue: country scale), at the largest size:", ""]
    largest = [r for r in rows if r.size == sizes[-1]] if sizes else []
    for r in largest:
        target = TARGETS.get(r.request)
        if target is not None:
            ms, ratio = target
            met = (ms is None or r.median_ms < ms) and r.ratio <= ratio
            bound = (f"< {ms} ms and " if ms else "") + f"≤ {ratio}× its baseline"
            lines.append(
                f"- {r.request}: {r.median_ms:.1f} ms, {r.ratio:.1f}× — target {bound}: {'met' if met else 'NOT met'}"
            )
    RESULTS.write_text("\n".join(lines) + "\n", encoding="utf-8")
    results.assemble()
    print("\n".join(lines))


if __name__ == "__main__":
    run()
