"""Every page at real volume: with 200+ records of each kind (cases with incidents, referrals,
users, agencies, providers, audit entries), each role signs in and follows every same-site
link it is shown, every page of every list, in French and in English. No page may answer a
5xx, and none may weigh more than the page budget."""

from __future__ import annotations

import datetime as dt
import re
import time
from collections import Counter, deque
from html import unescape
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_login import login_user
from sqlalchemy import func, select
from werkzeug.exceptions import HTTPException

from app import audit
from app.cases import incidents
from app.cases import service as cases
from app.passwords import hash_password
from app.referrals import service as referrals
from app.referrals.directory_admin import upsert_provider
from models import Agency, AuditEvent, Case, Provider, Referral, User, db, utcnow

from ..conftest import PASSWORD, sign_in
from ..e2e.conftest import PAGE_BUDGET
from .cases_helpers import case_payload, incident_payload

VOLUME = 210  # records of each kind: more than four pages of any list
MAX_PAGES = 400  # per role and language
# Detail pages of one kind (a case, a user, a referral…) visited per role and language: they
# share a template, and the lists that lead to them are crawled in full.
PER_ENDPOINT = 6
ROLES = ("caseworker", "supervisor", "provider", "cluster_lead", "admin")
LANGUAGES = ("fr", "en")
HREF = re.compile(r"""<a\b[^>]*\bhref=["']([^"'#]*)""", re.IGNORECASE)
SERVICES = ("health", "psychosocial", "legal", "security", "shelter", "livelihoods")
REGIONS = ("ML-7", "ML-5", "ML-6", "ML-1", "ML-BKO")
# Links that change something or leave the HTML pages: never followed.
SKIPPED_ENDPOINTS = {"auth.logout", "static"}


def _as(app: Flask, username: str) -> User:
    user = db.session.scalar(select(User).where(User.username == username))
    assert user is not None
    login_user(user)
    return user


def populate(app: Flask) -> dict[str, int]:
    """Records through the real services where they carry rules (cases, incidents, providers,
    referrals); agencies and users inserted directly (nothing to validate). One app context,
    one commit per kind: a few seconds."""
    with app.test_request_context():
        password = hash_password(PASSWORD)
        agencies = [Agency(code="ESPOIR", name="ONG Espoir", isp_signed=True),
                    Agency(code="SAHEL", name="Clinique Sahel", isp_signed=False)]
        agencies += [Agency(code=f"AG-{n:03d}", name=f"Agence numéro {n}", isp_signed=n % 3 != 0)
                     for n in range(VOLUME)]
        db.session.add_all(agencies)
        db.session.flush()
        espoir, sahel = agencies[0], agencies[1]
        clinic = upsert_provider({"code": "CLINIC-GAO", "name": "Clinique de Gao", "agency": "SAHEL",
                                  "services": "health;psychosocial", "locations": "ML-7",
                                  "serves_children": True, "clinical_management_of_rape": True})
        for n in range(VOLUME):
            upsert_provider({"code": f"SVC-{n:03d}", "name": f"Service {n}", "agency": f"AG-{n:03d}",
                             "services": ";".join(SERVICES[n % 6: n % 6 + 2]),
                             "locations": REGIONS[n % len(REGIONS)], "serves_children": n % 2 == 0,
                             "hours": "Lun–Ven 8h–17h", "languages": "français, songhaï"})
        db.session.flush()
        people = {"awa": ("caseworker", espoir), "fatou": ("supervisor", espoir),
                  "moussa": ("provider", sahel), "mariam": ("cluster_lead", None), "root": ("admin", None)}
        for username, (role, agency) in people.items():
            db.session.add(User(username=username, role=role, agency=agency, password_hash=password,
                                provider_id=clinic.id if role == "provider" else None, role_approved_at=utcnow()))
        roles = ("caseworker", "supervisor", "provider", "cluster_lead", "admin")
        for n in range(VOLUME):
            role = roles[n % len(roles)]
            db.session.add(User(username=f"user{n:03d}", role=role, password_hash=password,
                                agency=None if role in ("cluster_lead", "admin") else agencies[2 + n],
                                provider_id=clinic.id if role == "provider" else None,
                                active=n % 7 != 0,
                                # some case roles wait for a second person, as in a real deployment
                                role_approved_at=None if n % 11 == 0 else utcnow()))
        db.session.commit()

        awa = _as(app, "awa")
        today = dt.date.today()
        for n in range(VOLUME):
            case = cases.create_case(awa, case_payload(given_name=f"Survivante {n}", age=15 + n % 40))
            incidents.add_incident(awa, case, incident_payload(days_ago=1 + n % 60))
            case.risk_level = ("high", "medium", "low")[n % 3]
            case.next_follow_up = today + dt.timedelta(days=n % 30 - 10)
        db.session.commit()
        for case in db.session.scalars(select(Case).order_by(Case.created_at)):
            referrals.create_referral(awa, case, {"service_type": "health", "provider_id": clinic.id,
                                                  "incident_id": case.incidents[0].id,
                                                  "share": ["given_name", "age", "sex"]})
        db.session.commit()
        moussa = _as(app, "moussa")
        for n, referral in enumerate(db.session.scalars(select(Referral).order_by(Referral.created_at))):
            if n % 3 == 1:
                referrals.transition(moussa, referral, "accept")
            elif n % 3 == 2:
                referrals.transition(moussa, referral, "accept")
                referrals.transition(moussa, referral, "deliver", None, "Prise en charge faite.")
        for n in range(VOLUME):
            audit.record("auth.login_failed", actor_name=f"user{n:03d}", details={"n": n})
        db.session.commit()
        audit.seal(wait=True)  # a script's request context seals when it ends; the count is now
        return {
            "agencies": db.session.scalar(select(func.count()).select_from(Agency)) or 0,
            "providers": db.session.scalar(select(func.count()).select_from(Provider)) or 0,
            "users": db.session.scalar(select(func.count()).select_from(User)) or 0,
            "cases": db.session.scalar(select(func.count()).select_from(Case)) or 0,
            "referrals": db.session.scalar(select(func.count()).select_from(Referral)) or 0,
            "audit": db.session.scalar(select(func.count()).select_from(AuditEvent)) or 0,
        }


class Crawl:
    """A breadth-first walk over the links a signed-in user is shown."""

    def __init__(self, app: Flask, client: FlaskClient, language: str) -> None:
        self.adapter = app.url_map.bind("localhost")
        self.client = client
        self.language = language
        self.headers = {"Accept-Language": language}
        self.visited: set[str] = set()
        self.per_endpoint: Counter[tuple[str, frozenset[str]]] = Counter()
        self.statuses: Counter[int] = Counter()
        self.failures: list[str] = []
        self.heaviest = 0

    def _endpoint(self, path: str) -> str | None:
        try:
            endpoint, _args = self.adapter.match(path, method="GET")
        except HTTPException:
            return None
        return str(endpoint)

    def _normal(self, url: str) -> tuple[str, str | None, bool]:
        """The URL with sorted arguments, its endpoint, and whether it is another page of a list."""
        parts = urlsplit(unescape(url))
        query = sorted(parse_qsl(parts.query, keep_blank_values=True))
        normal = parts.path + ("?" + urlencode(query) if query else "")
        return normal, self._endpoint(parts.path), any(k == "page" for k, _v in query)

    def _wanted(self, url: str) -> str | None:
        parts = urlsplit(unescape(url))
        if parts.scheme or parts.netloc or not parts.path.startswith("/"):
            return None  # another site (or a mailto:/tel: link)
        normal, endpoint, paged = self._normal(url)
        if endpoint is None or endpoint in SKIPPED_ENDPOINTS or endpoint.startswith("api."):
            return None
        if normal in self.visited:
            return None
        key = (endpoint, frozenset(k for k, _v in parse_qsl(urlsplit(normal).query) if k != "page"))
        if not paged:  # every page of a list is followed; other links of one kind a few times
            if self.per_endpoint[key] >= PER_ENDPOINT:
                return None
            self.per_endpoint[key] += 1
        return normal

    def run(self, start: str) -> int:
        queue: deque[str] = deque([start])
        self.visited.add(start)
        while queue and len(self.visited) <= MAX_PAGES:
            url = queue.popleft()
            response = self.client.get(url, headers=self.headers)
            self.statuses[response.status_code] += 1
            if response.status_code >= 500:
                self.failures.append(f"{url}: {response.status_code}")
                continue
            if response.status_code in (301, 302, 303, 307, 308):
                target = self._wanted(response.headers["Location"])
                if target and len(self.visited) < MAX_PAGES:
                    self.visited.add(target)
                    queue.append(target)
                continue
            if response.mimetype != "text/html":
                continue
            body = response.get_data()
            if f'<html lang="{self.language}"'.encode() not in body[:200]:
                self.failures.append(f"{url}: not in {self.language}")
            self.heaviest = max(self.heaviest, len(body))
            if len(body) >= PAGE_BUDGET:
                self.failures.append(f"{url}: {len(body)} bytes of HTML (budget {PAGE_BUDGET})")
            for href in HREF.findall(body.decode()):
                target = self._wanted(href)
                if target and len(self.visited) < MAX_PAGES:
                    self.visited.add(target)
                    queue.append(target)
        return len(self.visited)


@pytest.fixture
def volume(app: Flask) -> dict[str, int]:
    started = time.monotonic()
    counts = populate(app)
    counts["seconds"] = round(time.monotonic() - started)
    return counts


USERNAMES = {"caseworker": "awa", "supervisor": "fatou", "provider": "moussa", "cluster_lead": "mariam",
             "admin": "root"}
# Lists each role must have walked past their first page: the lists that returned 500.
PAGED = {
    "caseworker": ("cases.index",),
    "supervisor": ("cases.index",),
    "provider": ("referrals.inbox", "referrals.directory"),
    "cluster_lead": ("referrals.directory",),
    "admin": ("admin.audit_log", "admin.users", "admin.providers", "referrals.directory"),
}


def test_every_role_crawls_every_page_in_both_languages(app: Flask, volume: dict[str, int]) -> None:
    kinds = ("agencies", "providers", "users", "cases", "referrals", "audit")
    assert all(volume[kind] >= 200 for kind in kinds), volume
    figures: dict[str, int] = {}
    failures: list[str] = []
    heaviest = 0
    for role in ROLES:
        client = app.test_client()
        assert sign_in(client, USERNAMES[role]).status_code == 302
        for language in LANGUAGES:
            crawl = Crawl(app, client, language)
            figures[f"{role}/{language}"] = crawl.run("/")
            failures += [f"{role}/{language} {failure}" for failure in crawl.failures]
            paged = {crawl._normal(url)[1] for url in crawl.visited if "page=" in url}
            failures += [f"{role}/{language}: never reached page 2 of {endpoint}"
                         for endpoint in PAGED[role] if endpoint not in paged]
            if crawl.statuses[200] <= 5:
                failures.append(f"{role}/{language}: only {crawl.statuses}")
            heaviest = max(heaviest, crawl.heaviest)
    print(f"\ncrawl at volume {volume}: pages per role/language {figures}; heaviest page {heaviest} bytes")
    assert not failures, "\n".join(failures[:40])
