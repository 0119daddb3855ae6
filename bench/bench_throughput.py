"""Throughput of the real service under gunicorn: requests per second a caseworker's everyday
mix sustains, against a bare authenticated route on the same server, database and run.

The database is built as in ``bench_scale`` (a schema of its own, cases registered through the
service with real encryption, dropped afterwards) under a key file in a private temporary
directory, which gunicorn's workers then load as a deployment would. Gunicorn runs 2 sync
workers on 127.0.0.1; ``CLIENTS`` threads of the standard library's HTTP client keep it busy
(a new connection per request: sync workers close every connection anyway). The mix (the
caseworker's list page, one of her case pages and ``GET /api/v1/cases``, in equal parts) and the
bare route (``GET /account``) run in alternation, ``ROUNDS`` times ``SECONDS`` each, so that a
slow spell of the shared machine hits both alike. Every response must be a 200. The server runs
twice: with the audit chain sealed as deployed (one seal per worker per ``AUDIT_SEAL_DELAY``) and
with each response sealing its own events, the way it was before, for the comparison.

Environment: ``BENCH_THROUGHPUT_CASES`` (default 10000), ``BENCH_THROUGHPUT_SECONDS`` (10),
``BENCH_THROUGHPUT_ROUNDS`` (3), ``BENCH_THROUGHPUT_CLIENTS`` (8). ``bench/THROUGHPUT.md`` is written.
"""

from __future__ import annotations

import http.client
import json
import os
import platform
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from importlib.metadata import version
from pathlib import Path
from urllib.parse import urlencode

from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from app import create_app
from config import BaseConfig, TestConfig
from crypto import KeyRing
from models import db

from . import results
from .bench_scale import CASELOAD, PASSWORD, _analyze, _drop, _grow, _register_caseload, _schema_url, _setup

CASES = int(os.environ.get("BENCH_THROUGHPUT_CASES", "10000"))
SECONDS = float(os.environ.get("BENCH_THROUGHPUT_SECONDS", "10"))
ROUNDS = int(os.environ.get("BENCH_THROUGHPUT_ROUNDS", "3"))
CLIENTS = int(os.environ.get("BENCH_THROUGHPUT_CLIENTS", "8"))
WORKERS = 2
WARM_SECONDS = 2.0
TARGET = 0.40  # the issue: the mix sustains at least 40 % of the bare route's rate
SEALS = (
    (BaseConfig.AUDIT_SEAL_DELAY, f"one seal per worker every {BaseConfig.AUDIT_SEAL_DELAY:g} s (as deployed)"),
    (0.0, "each response seals its own events"),
)
ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).with_name("THROUGHPUT.md")

Request = tuple[str, str, dict[str, str]]  # label, path, headers


@dataclass
class Served:
    """One server's run: its two loads and what its audit chain looked like after."""

    seal: str
    mix: Load
    bare: Load
    rss: dict[int, float]
    pending_after_mix: list[int]
    pending_later: int
    sealed: int

    @property
    def ratio(self) -> float:
        return self.mix.median_rate / self.bare.median_rate


@dataclass
class Load:
    name: str
    rates: list[float] = field(default_factory=list)  # requests/s, one per round
    latencies: dict[str, list[float]] = field(default_factory=dict)  # ms, per request label
    cpu_seconds: float = 0.0  # the workers' user + system time while this load ran
    requests: int = 0

    @property
    def all_ms(self) -> list[float]:
        return [ms for times in self.latencies.values() for ms in times]

    @property
    def median_rate(self) -> float:
        return statistics.median(self.rates)

    @property
    def cpu_ms_per_request(self) -> float:
        return self.cpu_seconds * 1000 / self.requests


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _build(url: str, key_file: str) -> None:
    overrides = {"SQLALCHEMY_DATABASE_URI": url, "SUTURA_KEY_FILE": key_file, "RATELIMIT_ENABLED": False}
    app = create_app(TestConfig, overrides)
    _setup(app)
    rng = random.Random(20261201)  # noqa: S311 — synthetic data, not secrets
    _register_caseload(app, rng)
    _grow(app, CASELOAD, CASES, rng)
    with app.app_context():
        db.engine.dispose()  # the workers are the only clients from here on
    _analyze(url)


Answer = tuple[int, http.client.HTTPMessage, bytes]


def _fetch(port: int, method: str, path: str, headers: dict[str, str], body: bytes | None = None) -> Answer:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        return response.status, response.headers, response.read()
    finally:
        conn.close()


def _cookies(headers: http.client.HTTPMessage, jar: dict[str, str]) -> dict[str, str]:
    for line in headers.get_all("Set-Cookie") or []:
        jar.update({name: morsel.value for name, morsel in SimpleCookie(line).items()})
    return jar


def _sign_in(port: int, username: str) -> tuple[dict[str, str], dict[str, str]]:
    """Headers of a signed-in browser (session cookie) and of an API client (bearer token)."""
    status, headers, page = _fetch(port, "GET", "/login", {})
    jar = _cookies(headers, {})
    token = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', page)
    if status != 200 or token is None:
        raise RuntimeError(f"no sign-in page with a CSRF token: {status}")
    form = urlencode({"csrf_token": token[1].decode(), "username": username, "password": PASSWORD}).encode()
    cookie = "; ".join(f"{k}={v}" for k, v in jar.items())
    status, headers, _ = _fetch(
        port, "POST", "/login", {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"}, form
    )
    if status != 302:
        raise RuntimeError(f"{username} could not sign in: {status}")
    browser = {"Cookie": "; ".join(f"{k}={v}" for k, v in _cookies(headers, jar).items())}
    body = json.dumps({"username": username, "password": PASSWORD}).encode()
    status, _, answer = _fetch(port, "POST", "/api/v1/auth/token", {"Content-Type": "application/json"}, body)
    if status != 200:
        raise RuntimeError(f"{username} got no API token: {status}")
    return browser, {"Authorization": f"Bearer {json.loads(answer)['token']}"}


def _workers(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return [int(pid) for pid in children]


def _cpu_seconds(pids: list[int]) -> float:
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of proc(5))
    return total / ticks


def _rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _drive(port: int, requests: list[Request], seconds: float, load: Load | None) -> None:
    """``CLIENTS`` clients back to back for ``seconds``; recorded into ``load`` unless warming up."""
    deadline = time.perf_counter() + seconds
    errors: Counter[str] = Counter()
    lock = threading.Lock()

    def client(offset: int) -> tuple[int, list[tuple[str, float]]]:
        done, times = offset, []
        while time.perf_counter() < deadline:
            label, path, headers = requests[done % len(requests)]
            done += 1
            start = time.perf_counter()
            try:
                status = _fetch(port, "GET", path, headers)[0]
            except OSError as exc:
                status, label = 0, f"{label}: {exc}"
            if status != 200:  # a fast error is no benchmark
                with lock:
                    errors[f"{label} → {status}"] += 1
                continue
            times.append((label, (time.perf_counter() - start) * 1000))
        return len(times), times

    started = time.perf_counter()
    with ThreadPoolExecutor(CLIENTS) as pool:
        results = list(pool.map(client, range(CLIENTS)))  # each client starts at its own request
    elapsed = time.perf_counter() - started
    if errors:
        raise RuntimeError(f"non-200 responses under load: {dict(errors)}")
    if load is not None:
        load.rates.append(sum(n for n, _ in results) / elapsed)
        for _, times in results:
            for label, ms in times:
                load.latencies.setdefault(label, []).append(ms)
        load.requests += sum(n for n, _ in results)


@contextmanager
def _gunicorn(url: str, key_file: str, log: Path, seal_delay: float) -> Iterator[tuple[int, subprocess.Popen[bytes]]]:
    with socket.socket() as probe:  # a free port; the moment until gunicorn binds it is short
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {
        **os.environ,
        "BENCH_THROUGHPUT_DATABASE_URL": url,
        "SUTURA_KEY_FILE": key_file,
        "SUTURA_AUDIT_SEAL_DELAY": str(seal_delay),
    }
    command = [
        str(Path(sys.executable).with_name("gunicorn")),
        *("--bind", f"127.0.0.1:{port}", "--workers", str(WORKERS), "--worker-class", "sync"),
        "bench.throughput_wsgi:app",
    ]
    with log.open("wb") as out:
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)  # noqa: S603
    try:
        deadline = time.monotonic() + 60
        while True:
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not start:\n{log.read_text(errors='replace')[-3000:]}")
            try:
                if _fetch(port, "GET", "/healthz", {})[0] == 200 and len(_workers(server.pid)) == WORKERS:
                    break
            except OSError:
                pass
            time.sleep(0.2)
        yield port, server
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _count(url: str, table: str) -> int:
    with create_engine(url, poolclass=NullPool).connect() as conn:
        return int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())  # noqa: S608 — our own names


def run() -> list[Served]:
    schema, url = _schema_url()
    try:
        with tempfile.TemporaryDirectory(prefix="sutura-bench-") as tmp:  # removes the key file too
            key_file = str(Path(tmp) / "keys.json")
            KeyRing.generate().write(key_file)  # 0600, as the workers require
            started = time.perf_counter()
            _build(url, key_file)
            print(f"{CASES} cases registered in {time.perf_counter() - started:.0f} s")
            runs = []
            for delay, seal in SEALS:
                with _gunicorn(url, key_file, Path(tmp) / "gunicorn.log", delay) as (port, server):
                    runs.append(_measure(port, server.pid, url, seal))
    finally:
        _drop(schema)
    _write(url, runs)
    return runs


def _measure(port: int, master: int, url: str, seal: str) -> Served:
    browser, api = _sign_in(port, "awa")
    status, _, body = _fetch(port, "GET", "/api/v1/cases", api)
    if status != 200 or not json.loads(body)["items"]:
        raise RuntimeError(f"awa's cases not listed: {status}")
    case_id = json.loads(body)["items"][0]["id"]
    mix_requests: list[Request] = [
        ("GET /cases", "/cases", browser),
        ("GET /cases/<id>", f"/cases/{case_id}", browser),
        ("GET /api/v1/cases", "/api/v1/cases", api),
    ]
    bare_requests: list[Request] = [("GET /account", "/account", browser)]
    mix, bare = Load("mix: GET /cases, GET /cases/<id>, GET /api/v1/cases"), Load("bare: GET /account")
    for requests in (mix_requests, bare_requests):  # templates compiled, pools filled
        _drive(port, requests, WARM_SECONDS, None)

    workers = _workers(master)
    events_before = _count(url, "audit_events")
    pending_after_mix: list[int] = []
    for _ in range(ROUNDS):
        for load, requests in ((bare, bare_requests), (mix, mix_requests)):
            cpu = _cpu_seconds(workers)
            _drive(port, requests, SECONDS, load)
            load.cpu_seconds += _cpu_seconds(workers) - cpu
        pending_after_mix.append(_count(url, "audit_pending"))
    time.sleep(2)
    pending_later = _count(url, "audit_pending")
    sealed = _count(url, "audit_events") - events_before
    rss = {pid: _rss_mib(pid) for pid in workers}
    return Served(seal, mix, bare, rss, pending_after_mix, pending_later, sealed)


def _machine(url: str) -> str:
    with create_engine(url, poolclass=NullPool).connect() as conn:
        postgres = conn.execute(text("SHOW server_version")).scalar_one()
    meminfo = Path("/proc/meminfo").read_text()
    ram = int(re.search(r"MemTotal:\s+(\d+)", meminfo)[1]) / 1024**2  # type: ignore[index]
    return (
        f"Run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on {platform.machine()}, {os.cpu_count()} cores, "
        f"{ram:.1f} GiB RAM, Python {platform.python_version()}, PostgreSQL {postgres}, gunicorn {version('gunicorn')}."
    )


def _write(url: str, runs: list[Served]) -> None:
    lines = [
        "# Throughput under gunicorn — `make bench` (bench/bench_throughput.py)",
        "",
        _machine(url),
        "",
        f"{CASES:,} cases registered through the service (real encryption) in a schema of their own; the "
        f"caseworker measured owns {CASELOAD}. gunicorn, {WORKERS} sync workers on 127.0.0.1, rate limiting off; "
        f"{CLIENTS} concurrent clients (standard library `http.client`, one connection per request) on the same "
        f"machine. The mix and the bare route run in alternation, {ROUNDS} rounds of {SECONDS:.0f} s each after "
        f"{WARM_SECONDS:.0f} s of warm-up; every response was a 200. Latency is under that load (queueing "
        "included); worker CPU is the workers' user + system time over the requests served. The server ran "
        "twice on the same database, sealing the audit chain two ways.",
        "",
        "| audit seal | load | requests | min req/s | median req/s | p50 ms | p95 ms | worker CPU ms/request |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for run in runs:
        for load in (run.mix, run.bare):
            lines.append(
                f"| {run.seal} | {load.name} | {load.requests:,} | {min(load.rates):.1f} | {load.median_rate:.1f} | "
                f"{_pct(load.all_ms, 0.5):.1f} | {_pct(load.all_ms, 0.95):.1f} | {load.cpu_ms_per_request:.1f} |"
            )
    for run in runs:
        lines += ["", f"### {run.seal[0].upper()}{run.seal[1:]}", "", "Within the mix:", ""]
        for label, times in run.mix.latencies.items():
            lines.append(f"- {label}: p50 {_pct(times, 0.5):.1f} ms, p95 {_pct(times, 0.95):.1f} ms")
        lines += [
            "",
            f"Worker RSS after the run: {', '.join(f'{mib:.0f} MiB' for mib in run.rss.values())}.",
            "",
            f"Audit: {run.sealed:,} events sealed into `audit_events` during the measured rounds; still in "
            f"`audit_pending` right after each mix round: {', '.join(map(str, run.pending_after_mix))}; "
            f"2 s after the last: {run.pending_later}.",
            "",
            f"Mix over bare route (median over median): {run.ratio:.0%}",
        ]
    deployed = runs[0]
    lines += [
        "",
        f"Mix over bare route as deployed: {deployed.ratio:.0%} — target ≥ {TARGET:.0%}: "
        f"{'met' if deployed.ratio >= TARGET else 'NOT met'}",
    ]
    RESULTS.write_text("\n".join(lines) + "\n", encoding="utf-8")
    results.assemble()
    print("\n".join(lines))


if __name__ == "__main__":
    run()
