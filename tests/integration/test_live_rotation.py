"""Key rotation on a live deployment: two gunicorn servers (two workers each) under production
settings share a PostgreSQL schema and a key file while a client keeps creating and reading
cases through the API; `keys generate`, `keys rotate` and `keys retire` run meanwhile, as an
operator runs them. No 5xx, no case lost, new data keys under the new key as soon as the
workers have reloaded, and `keys retire` refuses while anything still needs the key.

The watcher itself is tested first, without a database."""

from __future__ import annotations

import json
import os
import random
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from crypto import KeyFileWatcher, KeyRing
from models import DataKeyRecord, db

from ..conftest import PASSWORD, Factory, create_schema, make_app
from ..databases import isolated_database, postgres_url
from .cases_helpers import case_payload
from .serve import Gunicorn, flask_cli, production_env

NAMES = ["Aïssata", "Kadiatou", "Oumou", "Fanta", "Mariam", "Hawa", "Assitan", "Djénéba"]


# --- the watcher ------------------------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_watcher_reloads_a_changed_key_file_at_most_every_interval(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    ring = KeyRing.generate()
    ring.write(path)
    clock = Clock()
    watcher = KeyFileWatcher(path, interval=2.0, clock=clock)
    newer = ring.with_new_kek()
    newer.write(path)
    clock.now = 1.0
    assert watcher.current() is watcher.ring and watcher.current().newest_id == ring.newest_id  # not yet checked
    clock.now = 2.5
    assert watcher.current().newest_id == newer.newest_id and watcher.reloads == 1
    clock.now = 5.0
    assert watcher.current().newest_id == newer.newest_id and watcher.reloads == 1  # unchanged: no re-read
    # An unknown key id asks at once, without waiting for the interval.
    newest = newer.with_new_kek()
    newest.write(path)
    assert watcher.refresh() and watcher.ring.newest_id == newest.newest_id


def test_watcher_keeps_its_ring_when_the_file_is_broken_or_foreign(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    ring = KeyRing.generate()
    ring.write(path)
    watcher = KeyFileWatcher(path, interval=0)
    path.write_text("{not json")
    os.chmod(path, 0o600)
    assert watcher.current() is not None and not watcher.refresh() and "JSON" in (watcher.last_error or "")
    KeyRing.generate().write(path)  # another deployment's file: other index and audit keys
    assert not watcher.refresh() and watcher.ring.newest_id == ring.newest_id
    assert "index or audit key" in (watcher.last_error or "")
    ring.with_new_kek().write(path)
    assert watcher.refresh() and watcher.last_error is None


# --- live rotation under load -------------------------------------------------------------------


class Load(threading.Thread):
    """Creates a case and reads two (the newest and a random older one) per round, alternating
    between the servers, until stopped; remembers every case and every failure."""

    def __init__(self, bases: list[str], token: str) -> None:
        super().__init__(daemon=True)
        self.bases, self.token = bases, token
        self.cases: dict[str, str] = {}  # id -> given name
        self.failures: list[str] = []
        self.requests = 0
        self.stopping = threading.Event()
        self.rng = random.Random(7)  # noqa: S311 — test data, not a secret

    def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> tuple[int, Any]:
        base = self.bases[self.requests % len(self.bases)]
        self.requests += 1
        request = urllib.request.Request(  # noqa: S310 — loopback
            base + path, method=method, data=None if body is None else json.dumps(body).encode(),
            headers={"Authorization": f"Bearer {self.token}", "Content-Type": "application/json",
                     "Accept-Language": "en"},
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode(errors="replace")[:300]

    def run(self) -> None:
        while not self.stopping.is_set():
            try:
                name = self.rng.choice(NAMES)
                status, body = self.call("POST", "/api/v1/cases", case_payload(given_name=name))
                if status != 201:
                    self.failures.append(f"create {status}: {body}")
                    continue
                self.cases[body["id"]] = name
                for case_id in {body["id"], self.rng.choice(list(self.cases))}:
                    status, detail = self.call("GET", f"/api/v1/cases/{case_id}")
                    if status != 200 or detail["survivor"]["given_name"] != self.cases[case_id]:
                        self.failures.append(f"read {case_id} {status}: {str(detail)[:300]}")
            except Exception as exc:  # noqa: BLE001 — a dropped connection is a failure too
                self.failures.append(f"{type(exc).__name__}: {exc}")
            self.stopping.wait(0.02)  # a steady load that leaves the operator's commands some CPU


def api_token(base: str, username: str) -> str:
    request = urllib.request.Request(  # noqa: S310 — loopback
        base + "/api/v1/auth/token", method="POST",
        data=json.dumps({"username": username, "password": PASSWORD}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        return str(json.loads(response.read())["token"])


def kek_ids_of_keys_created_after(setup: Any, moment: Any) -> set[str | None]:
    with setup.app_context():
        try:
            return set(db.session.scalars(select(DataKeyRecord.kek_id).where(DataKeyRecord.created_at > moment)))
        finally:
            db.session.remove()


@pytest.mark.skipif(postgres_url() is None, reason="two gunicorn servers need a shared PostgreSQL database "
                    "(set TEST_DATABASE_URL); SQLite is one file for one server")
def test_rotation_under_load_on_two_gunicorn_servers(tmp_path: Path) -> None:
    import datetime as dt

    key_file = tmp_path / "keys" / "keys.json"
    ring = KeyRing.generate()
    ring.write(key_file)
    old = ring.newest_id
    with isolated_database(tmp_path) as url:
        setup = make_app(url, ring)
        create_schema(setup)
        Factory(setup).user("awa")
        # 2FA off for the load's one account (test_two_servers.py runs with it on).
        env = production_env(url, key_file, SUTURA_KEYRING_CHECK_SECONDS="0.5", SUTURA_REQUIRE_2FA="0")
        servers = [Gunicorn(env, tmp_path / f"gunicorn-{n}.log", workers=2) for n in range(2)]
        load: Load | None = None
        try:
            for server in servers:
                server.wait_until_up()
            bases = [s.base for s in servers]
            load = Load(bases, api_token(bases[0], "awa"))
            load.start()
            time.sleep(2)
            before = len(load.cases)

            generated = flask_cli(env, "keys", "generate")
            assert generated.returncode == 0, generated.stderr
            new = KeyRing.from_file(key_file).newest_id
            assert new != old and "keys rotate" in generated.stdout and "keys retire" in generated.stdout
            assert "can be removed" not in generated.stdout
            since = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1.5)  # workers check every 0.5 s
            time.sleep(3)
            # New data keys went under the new KEK as soon as the workers had reloaded, before rotation.
            assert kek_ids_of_keys_created_after(setup, since) == {new}

            refused = flask_cli(env, "keys", "retire", old)
            assert refused.returncode != 0 and "still wrapped under" in refused.stderr, refused.stderr
            assert any(char.isdigit() for char in refused.stderr.split("still wrapped")[0])
            newest = flask_cli(env, "keys", "retire", new)
            assert newest.returncode != 0 and "newest" in newest.stderr
            assert KeyRing.from_file(key_file).kek_ids == (old, new)

            rotated = flask_cli(env, "keys", "rotate", "--batch-size", "7")
            assert rotated.returncode == 0 and "remaining 0" in rotated.stdout, rotated.stdout + rotated.stderr
            assert "keys retire" in rotated.stdout and "can be removed" not in rotated.stdout
            retired = flask_cli(env, "keys", "retire", old)
            assert retired.returncode == 0, retired.stdout + retired.stderr
            assert KeyRing.from_file(key_file).kek_ids == (new,)
            during = len(load.cases)
            time.sleep(3)  # the workers drop the retired key and keep serving
        finally:
            if load is not None:
                load.stopping.set()
                load.join(timeout=60)
        try:
            assert load.failures == [], load.failures[:5]
            assert before >= 3 and len(load.cases) > during > before, (before, during, len(load.cases))
            # Every case created before, during and after reads back (alternately on each server).
            check = Load(bases, load.token)
            for case_id, name in load.cases.items():
                status, detail = check.call("GET", f"/api/v1/cases/{case_id}")
                assert status == 200 and detail["survivor"]["given_name"] == name, (status, detail)
            with setup.app_context():
                keks = set(db.session.scalars(
                    select(DataKeyRecord.kek_id).where(DataKeyRecord.wrapped_key.is_not(None))
                ))
                db.session.remove()
            assert keks == {new}
            for server in servers:
                assert " 500 " not in server.log.read_text() and "Traceback" not in server.log.read_text()
        finally:
            for server in servers:
                server.stop()
            with setup.app_context():
                db.engine.dispose()


# --- the commands, on this run's database (SQLite or PostgreSQL) ----------------------------------


def test_retire_refuses_while_a_data_key_needs_the_key_and_never_retires_the_newest(tmp_path: Path) -> None:
    from app import create_app
    from config import TestConfig

    from .cases_helpers import make_case

    key_file = tmp_path / "keys.json"
    ring = KeyRing.generate()
    ring.write(key_file)
    with isolated_database(tmp_path) as url:
        app = create_app(TestConfig, {"SQLALCHEMY_DATABASE_URI": url, "SUTURA_KEY_FILE": str(key_file),
                                      "SUTURA_KEYRING_CHECK_SECONDS": 0.1})
        create_schema(app)
        Factory(app).user("awa")
        first = make_case(app, "awa")
        runner = app.test_cli_runner()
        generated = runner.invoke(args=["keys", "generate"])
        assert generated.exit_code == 0 and "keys retire" in generated.output, generated.output
        new = KeyRing.from_file(key_file).newest_id
        second = make_case(app, "awa")  # this process reloaded: wrapped under the new key at once
        with app.app_context():
            keks = dict(db.session.execute(select(DataKeyRecord.owner, DataKeyRecord.kek_id)).tuples().all())
            db.session.remove()
        assert keks[f"case:{first}"] == ring.newest_id and keks[f"case:{second}"] == new

        newest = runner.invoke(args=["keys", "retire", new])
        assert newest.exit_code != 0 and "newest" in newest.output
        unknown = runner.invoke(args=["keys", "retire", "kek-nope"])
        assert unknown.exit_code != 0 and "no key-encryption key" in unknown.output
        refused = runner.invoke(args=["keys", "retire", ring.newest_id])
        assert refused.exit_code != 0 and "refused: 1 data keys are still wrapped under" in refused.output
        assert KeyRing.from_file(key_file).kek_ids == (ring.newest_id, new)

        rotated = runner.invoke(args=["keys", "rotate"])
        assert rotated.exit_code == 0 and "remaining 0" in rotated.output and "keys retire" in rotated.output
        retired = runner.invoke(args=["keys", "retire", ring.newest_id])
        assert retired.exit_code == 0, retired.output
        assert KeyRing.from_file(key_file).kek_ids == (new,)
        from models import Case

        with app.app_context():
            assert {db.session.get(Case, c).survivor.given_name for c in (first, second)} == {"Aïssata"}
            db.session.remove()
            db.engine.dispose()
