"""Run one Sutura server process on a given port and database (used by the multi-process
tests): ``python -m tests.integration.serve PORT DATABASE_URL KEY_FILE [LIMIT_STORE LIMIT]``.

``production_env`` and ``Gunicorn`` start the app as a deployment does instead: gunicorn with
``wsgi:app`` under production settings, configured only through the environment."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def production_env(database_url: str, key_file: Path, **extra: str) -> dict[str, str]:
    """The environment of a production server (SUTURA_ENV=production): every setting from
    variables, as the README's production section sets them."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SUTURA_", "DATABASE_URL", "TEST_DATABASE"))}
    env.update(
        SUTURA_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(48),
        DATABASE_URL=database_url,
        SUTURA_KEY_FILE=str(key_file),
        PYTHONPATH=str(ROOT),
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


class Gunicorn:
    """``gunicorn --workers N wsgi:app`` on a free loopback port; its log goes to a file."""

    def __init__(self, env: dict[str, str], log: Path, workers: int = 2) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = log
        self._log_handle = log.open("ab")
        self.process = subprocess.Popen(  # noqa: S603 — our own interpreter and gunicorn
            [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--bind", f"127.0.0.1:{self.port}",
             "--graceful-timeout", "5", "--timeout", "30", "wsgi:app"],
            cwd=ROOT, env=env, stdout=self._log_handle, stderr=self._log_handle,
        )

    def wait_until_up(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited:\n{self.log.read_text()[-4000:]}")
            try:
                with urllib.request.urlopen(self.base + "/login", timeout=5) as response:  # noqa: S310 — loopback
                    if response.status == 200:
                        return
            except (OSError, urllib.error.URLError):
                time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer in {timeout} s:\n{self.log.read_text()[-4000:]}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        self._log_handle.close()

    def __enter__(self) -> Gunicorn:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()


def flask_cli(env: dict[str, str], *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """``flask --app wsgi ARGS`` as an operator runs it, in the servers' environment."""
    return subprocess.run(  # noqa: S603 — our own interpreter and the flask CLI
        [sys.executable, "-m", "flask", "--app", "wsgi", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False,
    )


if __name__ == "__main__":
    from werkzeug.serving import run_simple

    from app import create_app
    from config import TestConfig

    port, url, key_file = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    overrides = {"SQLALCHEMY_DATABASE_URI": url, "SUTURA_KEY_FILE": key_file}
    if len(sys.argv) > 4:  # rate limits kept in a shared store (Redis), and a low limit to reach
        overrides.update(RATELIMIT_STORAGE_URI=sys.argv[4], SUTURA_LOGIN_RATE_LIMIT=sys.argv[5])
    app = create_app(TestConfig, overrides)
    run_simple("127.0.0.1", port, app, threaded=True)
