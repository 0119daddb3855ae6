"""Five wrong passwords pause sign-in from that source even when the attempts go to two server
processes that share the database (the count lives in the database, not in a process)."""

from __future__ import annotations

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from crypto import KeyRing

from ..conftest import PASSWORD, create_schema, make_app
from ..databases import isolated_database

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Browser:
    """A cookie-keeping HTTP client that submits the login form like a person would."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirect()
        )

    def login(self, username: str, password: str) -> int:
        page = self.opener.open(self.base + "/login", timeout=10).read().decode()
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        data = urllib.parse.urlencode({"csrf_token": token, "username": username, "password": password}).encode()
        try:
            return int(self.opener.open(self.base + "/login", data=data, timeout=10).status)
        except urllib.error.HTTPError as exc:
            return exc.code


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None


def wait_until_up(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited: {process.stderr.read().decode() if process.stderr else ''}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("server did not start")


def start_two_servers(tmp_path: Path, *extra: str):
    key_file = tmp_path / "keys.json"
    ring = KeyRing.generate()
    ring.write(key_file)
    with isolated_database(tmp_path) as url:
        setup = make_app(url, ring)
        create_schema(setup)
        from ..conftest import Factory

        Factory(setup).user("awa")
        processes, ports = [], []
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        try:
            for _ in range(2):
                port = free_port()
                processes.append(subprocess.Popen(  # noqa: S603 — our own interpreter and module
                    [sys.executable, "-m", "tests.integration.serve", str(port), url, str(key_file), *extra],
                    cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                ))
                ports.append(port)
            for port, process in zip(ports, processes, strict=True):
                wait_until_up(port, process)
            yield [f"http://127.0.0.1:{p}" for p in ports]
        finally:
            for process in processes:
                process.terminate()
                process.wait(timeout=10)
            with setup.app_context():
                from models import db

                db.engine.dispose()


@pytest.fixture
def two_servers(tmp_path: Path):
    yield from start_two_servers(tmp_path)


def redis_available() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
        return True
    except OSError:
        return False


@pytest.fixture
def two_servers_sharing_redis(tmp_path: Path):
    if not redis_available():
        if os.environ.get("CI"):
            pytest.fail("Redis is expected on 127.0.0.1:6379 in CI")
        pytest.skip("no Redis on 127.0.0.1:6379")
    import redis

    redis.Redis(host="127.0.0.1", port=6379, db=15).flushdb()
    yield from start_two_servers(tmp_path, "redis://127.0.0.1:6379/15", "3 per minute")
    redis.Redis(host="127.0.0.1", port=6379, db=15).flushdb()


def test_five_wrong_passwords_over_two_processes_pause_the_source(two_servers) -> None:
    first, second = (Browser(base) for base in two_servers)
    assert Browser(two_servers[0]).login("awa", PASSWORD) == 302  # the right password works before
    statuses = [(first if i % 2 == 0 else second).login("awa", "wrong password!") for i in range(5)]
    assert statuses == [401] * 5
    # Paused in both processes (the count is in the database), even with the right password.
    assert first.login("awa", PASSWORD) == 401
    assert second.login("awa", PASSWORD) == 401


def test_rate_limit_is_shared_through_redis(two_servers_sharing_redis) -> None:
    first, second = (Browser(base) for base in two_servers_sharing_redis)
    statuses = [(first if i % 2 == 0 else second).login("nobody", "guess") for i in range(4)]
    assert statuses == [401, 401, 401, 429]
