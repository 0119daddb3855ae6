"""The README's "Running in production" block, run as written.

From a blank PostgreSQL schema with production settings: the block's `export` lines go through
bash, then every command runs as a subprocess from the repository (only the database URL, the
key file's path, the files the commands read and gunicorn's port change; `make install` is
skipped: the suite already runs in that environment). Then, over HTTP against gunicorn, the
caseworker and the provider sign in and enrol their second factor as a person would (the key
from the enrolment page, the codes from an authenticator: pyotp), a case, an incident and a
referral are registered through the API with a bearer token, the provider finds the referral in
their inbox, and the case page opens in the pages.
"""

from __future__ import annotations

import os
import re
import secrets
import shlex
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyotp
import pytest
import requests

from ..databases import isolated_database, postgres_url
from .cases_helpers import case_payload, incident_payload

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
SEED = re.compile(r'<code class="seed">([^<]+)</code>')
COMMUNES = """code,name_fr,name_en,level,parent
ML-7-03-01,Commune urbaine de Gao,Gao urban commune,commune,ML-7-03
ML-7-03-02,Soni Aliber,Soni Aliber,commune,ML-7-03
"""

pytestmark = pytest.mark.skipif(
    postgres_url() is None,
    reason="the production path runs on PostgreSQL only: set TEST_DATABASE_URL (make test does on CI)",
)


def production_block() -> list[str]:
    """The shell lines of the README's "Running in production" code block (continuations joined)."""
    section = README.read_text(encoding="utf-8").split("## Running in production", 1)[1]
    block = section.split("```sh\n", 1)[1].split("```", 1)[0]
    return [line for line in block.replace("\\\n", " ").splitlines() if line.strip()]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def redis_up() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
        return True
    except OSError:
        return False


class Browser(requests.Session):
    """Production cookies are `Secure`, sent over HTTPS only: the client plays the TLS proxy that
    stands in front of gunicorn, and sends them back over the loopback's plain HTTP."""

    def send(self, request: Any, **kwargs: Any) -> requests.Response:
        response = super().send(request, **kwargs)
        for cookie in self.cookies:
            cookie.secure = False
        return response


def browser() -> requests.Session:
    session = Browser()
    session.headers["Accept-Language"] = "en"
    return session


def csrf(html: str) -> str:
    match = CSRF.search(html)
    assert match, "the page has no CSRF token"
    return match.group(1)


def own_password(initial: str) -> str:
    return f"{initial} and mine"


def sign_in_and_enrol(base: str, username: str, password: str) -> tuple[requests.Session, str]:
    """Sign in through the pages as the README says: a new user first replaces the initial
    password with their own (``own_password``), then production has them enrol a second factor."""
    session = browser()
    page = session.get(f"{base}/login", timeout=10)
    response = session.post(f"{base}/login", data={"csrf_token": csrf(page.text), "username": username,
                                                   "password": password}, allow_redirects=False, timeout=10)
    assert response.status_code == 302, response.text
    assert "; Secure" in response.headers["Set-Cookie"]
    assert response.headers["Location"].endswith("/account/password"), "an initial password is replaced first"
    page = session.get(f"{base}/account/password", timeout=10)
    mine = own_password(password)
    response = session.post(f"{base}/account/password", data={"csrf_token": csrf(page.text), "current": password,
                                                              "new": mine, "confirm": mine},
                            allow_redirects=False, timeout=10)
    assert response.status_code == 302, response.text
    assert response.headers["Location"].endswith("/account/2fa"), "production requires a second factor"
    page = session.get(f"{base}/account/2fa", timeout=10)
    match = SEED.search(page.text)
    assert match, "the enrolment page shows the key to type into an authenticator"
    seed = match.group(1).replace(" ", "")
    response = session.post(f"{base}/account/2fa", data={"csrf_token": csrf(page.text),
                                                         "code": pyotp.TOTP(seed).now()},
                            allow_redirects=False, timeout=10)
    assert response.status_code == 302, response.text
    return session, seed


def api_token(base: str, username: str, password: str, seed: str) -> dict[str, str]:
    # The enrolment used this 30-second step's code: the authenticator's next one signs in.
    otp = pyotp.TOTP(seed).at(time.time() + 30)
    response = requests.post(f"{base}/api/v1/auth/token",
                             json={"username": username, "password": password, "otp": otp}, timeout=10)
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['token']}", "Accept-Language": "en"}


@pytest.fixture
def deployment(tmp_path: Path) -> Iterator[tuple[str, dict[str, str]]]:
    """Run the README's block; yield gunicorn's base URL and the passwords by username."""
    if not redis_up():
        pytest.skip("the production settings of the README use Redis on 127.0.0.1:6379, which is not running")
    lines = production_block()
    exports = [line for line in lines if line.startswith("export ")]
    commands = [line for line in lines if not line.startswith("export ")]
    assert {"make install"} <= {c.split("#")[0].strip() for c in commands}
    with isolated_database(tmp_path) as url:
        # The exports as a shell runs them (SECRET_KEY is generated); then this site's values.
        script = "set -e\n" + "\n".join(exports) + "\nenv -0\n"
        shell = subprocess.run(["bash", "-c", script], capture_output=True, check=True,  # noqa: S603,S607
                               env={"PATH": os.environ["PATH"], "HOME": str(tmp_path)})
        exported = dict(item.split("=", 1) for item in shell.stdout.decode().split("\0") if "=" in item)
        env = {name: exported[name] for name in ("SUTURA_ENV", "SECRET_KEY", "RATELIMIT_STORAGE_URI")}
        assert env["SUTURA_ENV"] == "production" and len(env["SECRET_KEY"]) >= 32
        env.update({
            "PATH": os.environ["PATH"], "HOME": str(tmp_path), "LANG": "C.UTF-8",
            "DATABASE_URL": url, "SUTURA_KEY_FILE": str(tmp_path / "keys.json"),
        })
        files: dict[str, Path] = {}
        passwords: dict[str, str] = {}
        server: subprocess.Popen[bytes] | None = None
        port = free_port()
        log = (tmp_path / "gunicorn.log").open("wb")
        try:
            for command in commands:
                argv = shlex.split(command, comments=True)
                if argv == ["make", "install"]:
                    continue  # the suite runs in the installed .venv
                stdin = None
                if "<" in argv:
                    name = argv[argv.index("<") + 1]
                    argv = argv[: argv.index("<")]
                    username = argv[argv.index("create") + 1]
                    passwords[username] = f"Sutura-{secrets.token_urlsafe(12)}"
                    files[name] = tmp_path / name
                    files[name].write_text(passwords[username] + "\n", encoding="utf-8")
                    stdin = files[name].open("rb")
                if argv[:4] == [".venv/bin/flask", "--app", "wsgi", "locations"]:
                    path = tmp_path / argv[-1]
                    path.write_text(COMMUNES, encoding="utf-8")
                    argv[-1] = str(path)
                if argv[0] == ".venv/bin/gunicorn":
                    argv = [a.replace("127.0.0.1:8000", f"127.0.0.1:{port}") for a in argv]
                    server = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=log, stderr=log)  # noqa: S603
                    continue
                assert argv[0] == ".venv/bin/flask", f"unexpected step in the README: {command}"
                done = subprocess.run(argv, cwd=ROOT, env=env, stdin=stdin or subprocess.DEVNULL,  # noqa: S603
                                      capture_output=True, timeout=60)
                if stdin:
                    stdin.close()
                assert done.returncode == 0, f"{command}\n{done.stdout.decode()}\n{done.stderr.decode()}"
            assert server is not None, "the README starts gunicorn"
            assert {"admin", "awa.traore", "moussa.keita"} <= set(passwords)
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 30
            while True:
                assert server.poll() is None, (tmp_path / "gunicorn.log").read_text()
                try:
                    if requests.get(f"{base}/login", timeout=5).status_code == 200:
                        break
                except requests.RequestException:  # not listening yet, or workers still booting
                    pass
                assert time.monotonic() < deadline, "gunicorn did not answer in 30 s"
                time.sleep(0.2)
            yield base, passwords
        finally:
            if server is not None:
                server.terminate()
                server.wait(timeout=15)
            log.close()


def test_the_readme_production_steps_register_a_case_an_incident_and_a_referral(deployment) -> None:
    base, passwords = deployment

    # The admin's first sign-in also goes through the second factor; the locations are there.
    admin, _seed = sign_in_and_enrol(base, "admin", passwords["admin"])
    places = admin.get(f"{base}/admin/locations?q=gao", timeout=10)
    assert places.status_code == 200 and "ML-7-03-01" in places.text

    awa, awa_seed = sign_in_and_enrol(base, "awa.traore", passwords["awa.traore"])
    moussa, moussa_seed = sign_in_and_enrol(base, "moussa.keita", passwords["moussa.keita"])
    caseworker = api_token(base, "awa.traore", own_password(passwords["awa.traore"]), awa_seed)
    provider = api_token(base, "moussa.keita", own_password(passwords["moussa.keita"]), moussa_seed)

    created = requests.post(f"{base}/api/v1/cases", json=case_payload(), headers=caseworker, timeout=10)
    assert created.status_code == 201, created.text
    case = created.json()
    incident = requests.post(f"{base}/api/v1/cases/{case['id']}/incidents", json=incident_payload(),
                             headers=caseworker, timeout=10)
    assert incident.status_code == 201, incident.text

    services = requests.get(f"{base}/api/v1/services", params={"region": "ML-7", "service_type": "health"},
                            headers=caseworker, timeout=10)
    assert services.status_code == 200, services.text
    clinic = next(s for s in services.json()["items"] if s["code"] == "CLINIQUE-GAO")
    referral = requests.post(f"{base}/api/v1/cases/{case['id']}/referrals", headers=caseworker, timeout=10,
                             json={"service_type": "health", "provider_id": clinic["id"],
                                   "share": ["given_name", "age", "sex"], "urgency": "high"})
    assert referral.status_code == 201, referral.text

    inbox = requests.get(f"{base}/api/v1/referrals", headers=provider, timeout=10)
    assert inbox.status_code == 200 and [r["id"] for r in inbox.json()["items"]] == [referral.json()["id"]]

    page = awa.get(f"{base}/cases/{case['id']}", timeout=10)
    assert page.status_code == 200 and case["case_code"] in page.text
    assert "Strict-Transport-Security" in page.headers
    assert moussa.get(f"{base}/cases/{case['id']}", timeout=10).status_code in (403, 404)
