"""Every HTML form, fuzzed with hypothesis: each page is fetched as its user sees it, each form
on it is read (its fields, options and action) and posted back with random values — valid
options, random text, NUL bytes and other control characters, huge strings, numbers where
dates go, repeated fields, unknown fields, sometimes no CSRF token. Never a 5xx; and when the
answer is a 4xx, nothing was written (the rows of every table but the audit log are counted
before and after).

Bounded and repeatable: EXAMPLES posts per form, derandomized, no deadline, no shrinking.
The regressions found on the way (a 1 MiB form, NUL bytes, a huge page number, an existing
provider saved again, an unknown service type) are asserted one by one at the end."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from app.extensions import limiter
from models import Agency, Base, Provider, User, db

from ..conftest import csrf_token, sign_in
from ..conftest import text as page_text
from .cases_helpers import add_incident, make_case
from .test_referrals import world  # noqa: F401 — the fixture, reused here

EXAMPLES = 25
# Reads and refusals are audited; failed sign-ins are counted (login_throttles); sign-ins open a
# session (web_sessions) and issue nothing else.
# A refused long form is kept as its author's encrypted draft (nothing typed is lost): a draft
# and its data key are not part of a case, the only rows a refused post may write.
NOT_COUNTED = {"audit_events", "audit_head", "api_tokens", "login_throttles", "web_sessions", "form_drafts"}
SKIPPED_ACTIONS = ("/logout",)
NASTY = (
    "\x00", "a\x00b", "\x1b[2J", "\x7f", "\u202e", "\ufeff", "'; DROP TABLE cases; --", "<script>alert(1)</script>",
    "{{ 7*7 }}", "%s%n", "../../etc/passwd", " ", "-1", "0", "9" * 30, "1e309", "NaN", "2026-02-30", "31/12/2026",
    "true", "yes", "on", "null", "[]", "ML-7\x00", "é" * 3, "𝕏", "ML-99-99",
)


@dataclass
class Form:
    action: str
    method: str
    fields: dict[str, list[str]] = field(default_factory=dict)  # name: values offered by the page


class Forms(HTMLParser):
    """The forms of a page: every named input, select, textarea and button with the values it offers."""

    def __init__(self, url: str) -> None:
        super().__init__()
        self.url = url
        self.forms: list[Form] = []
        self._current: Form | None = None
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._current = Form(a.get("action") or self.url, (a.get("method") or "get").lower())
            self.forms.append(self._current)
            return
        form = self._current
        if form is None:
            return
        name = a.get("name")
        if tag in ("input", "button") and name:
            form.fields.setdefault(name, [])
            if a.get("value"):
                form.fields[name].append(a["value"])
        elif tag == "select" and name:
            self._select = name
            form.fields.setdefault(name, [])
        elif tag == "option" and self._select:
            form.fields[self._select].append(a.get("value", ""))
        elif tag == "textarea" and name:
            self._textarea = name
            form.fields.setdefault(name, [])

    def handle_data(self, data: str) -> None:
        if self._textarea and self._current and data.strip():
            self._current.fields[self._textarea].append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._current = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def forms_on(page: str, url: str) -> list[Form]:
    parser = Forms(url)
    parser.feed(page)
    return [f for f in parser.forms if f.method == "post" and not f.action.startswith(SKIPPED_ACTIONS)]


def huge(size: int, char: str) -> str:
    return char * size


CLEAN_TEXT = st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=30)
PLAUSIBLE = ("2026-01-15", "24", "3", "Awa", "ML-7", "ML-7-03", "yes", "no", "1", "health", "female",
             "+223 76 00 00 00")


def plausible(offered: list[str]) -> st.SearchStrategy[Any]:
    """Values a person could type or pick: the page's own options mostly."""
    typed = st.one_of(CLEAN_TEXT, st.sampled_from(PLAUSIBLE))
    return st.one_of(st.sampled_from(offered), st.sampled_from(offered), typed) if offered else typed


def hostile(offered: list[str]) -> st.SearchStrategy[Any]:
    """Values nobody types: control characters, huge strings, huge numbers, a field repeated."""
    return st.one_of(
        st.text(max_size=40),
        st.sampled_from(NASTY),
        st.builds(huge, st.sampled_from([257, 2_001, 70_000]), st.sampled_from(["x", "é", "7", "\x00"])),
        st.integers(min_value=-(2**70), max_value=2**70).map(str),
        st.lists(st.sampled_from([*offered, "x", "\x00"]), min_size=2, max_size=3),
    )


def form_data(form: Form, token: str) -> st.SearchStrategy[dict[str, Any]]:
    """A plausible filling with zero to two hostile fields, some fields left out, unknown ones
    added, and now and then no valid CSRF token."""
    names = [name for name in form.fields if name != "csrf_token"]
    known = st.fixed_dictionaries({}, optional={name: plausible(form.fields[name]) for name in names})
    bad = (st.lists(st.sampled_from(names), max_size=2, unique=True).flatmap(
        lambda chosen: st.fixed_dictionaries({name: hostile(form.fields[name]) for name in chosen}))
        if names else st.just({}))
    unknown = st.dictionaries(st.text(min_size=1, max_size=12).filter(lambda k: k not in form.fields),
                              st.text(max_size=20), max_size=2)
    csrf = st.sampled_from([token] * 9 + [""])
    return st.builds(lambda k, b, u, c: {**u, **k, **b, "csrf_token": c}, known, bad, unknown, csrf)


def row_counts() -> dict[str, int]:
    def count(table: Any) -> int:
        query = select(func.count()).select_from(table)
        if table.name == "data_keys":
            query = query.where(~table.c.owner.startswith("draft:"))
        return db.session.scalar(query) or 0

    return {table.name: count(table) for table in Base.metadata.sorted_tables if table.name not in NOT_COUNTED}


def fuzz_form(app: Flask, client: FlaskClient, form: Form, token: str, posts: Counter[int]) -> None:
    failures: list[str] = []

    @settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(data=form_data(form, token))
    def run(data: dict[str, Any]) -> None:
        limiter.reset()
        with app.app_context():
            before = row_counts()
        response = client.post(form.action, data=data)
        posts[response.status_code] += 1
        if response.status_code >= 500:
            failures.append(f"POST {form.action} {sorted(data)!r}: {response.status_code}")
            return
        if 400 <= response.status_code < 500:
            with app.app_context():
                after = row_counts()
            if after != before:
                changed = {t: (before[t], after[t]) for t in after if after[t] != before[t]}
                failures.append(f"POST {form.action}: {response.status_code} yet rows changed {changed}")

    run()
    assert not failures, "\n".join(failures[:10])


# (role, page): every page that holds a form. {case}, {incident}, {referral}, {user}, {agency},
# {provider} are filled in from the world below.
PAGES = [
    (None, "/login"),
    ("caseworker", "/cases/new"),
    ("caseworker", "/cases/{case}"),
    ("caseworker", "/cases/{case}/incidents/new"),
    ("caseworker", "/cases/{case}/edit"),
    ("caseworker", "/cases/{case}/incidents/{incident}/edit"),
    ("caseworker", "/cases/{case}/consent"),
    ("caseworker", "/cases/{case}/refer?service_type=health"),
    ("caseworker", "/cases/{case}/refer?service_type=legal"),
    ("caseworker", "/cases/{case}/assessment"),
    ("caseworker", "/cases/{case}/plan"),
    ("caseworker", "/cases/{case}/follow-ups/new"),
    ("caseworker", "/cases/{case}/closure"),
    ("caseworker", "/cases/{case}/transfer"),
    ("caseworker", "/account/password"),
    ("caseworker", "/account/2fa"),
    ("supervisor", "/cases/{case}"),
    ("supervisor", "/cases/{planned}"),
    ("provider", "/inbox/{referral}"),
    ("admin", "/admin/users/new"),
    ("admin", "/admin/users/{user}"),
    ("admin", "/admin/agencies/new"),
    ("admin", "/admin/agencies/{agency}"),
    ("admin", "/admin/providers/new"),
    ("admin", "/admin/providers/{provider}"),
    ("admin", "/admin/providers"),
    ("admin", "/admin/audit"),
]
USERS = {"caseworker": "awa", "supervisor": "fatou", "provider": "moussa", "admin": "root"}


@pytest.fixture
def places(app: Flask, factory: Any, world: dict[str, str]) -> dict[str, str]:  # noqa: F811 — the fixture
    factory.user("root", role="admin", agency=None)
    case_id = make_case(app, "awa")
    incident_id = add_incident(app, "awa", case_id)
    client = app.test_client()
    sign_in(client, "awa")
    page = client.get(f"/cases/{case_id}/refer?service_type=health").get_data(as_text=True)
    sent = client.post(f"/cases/{case_id}/refer?service_type=health",
                       data={"csrf_token": csrf_token(page), "service_type": "health", "incident_id": incident_id,
                             "provider_id": world["CLINIC-GAO"], "share": ["age", "sex"], "request_key": "k1"})
    assert sent.status_code == 302, page_text(sent)
    # A second case whose plan waits for the supervisor: the supervisor's decision forms.
    planned = make_case(app, "awa")
    page = client.get(f"/cases/{planned}/plan").get_data(as_text=True)
    saved = client.post(f"/cases/{planned}/plan", data={
        "csrf_token": csrf_token(page), "goals.0.area": "health", "goals.0.goal": "Soins médicaux",
        "goals.0.responsible": "CSREF Gao"})
    assert saved.status_code == 302, page_text(saved)
    page = client.get(f"/cases/{planned}").get_data(as_text=True)
    assert client.post(f"/cases/{planned}/plan/submit", data={"csrf_token": csrf_token(page)}).status_code == 302
    with app.app_context():
        from models import Referral

        referral = db.session.scalar(select(Referral))
        assert referral is not None
        return {"case": case_id, "incident": incident_id, "referral": referral.id, "planned": planned,
                "user": str(db.session.scalar(select(User.id).where(User.username == "fatou"))),
                "agency": str(db.session.scalar(select(Agency.id).where(Agency.code == "DJIGUIYA"))),
                "provider": world["CLINIC-GAO"]}


@pytest.mark.parametrize(("role", "page"), PAGES, ids=[f"{r or 'anonymous'}:{p}" for r, p in PAGES])
def test_every_form_survives_random_input(app: Flask, places: dict[str, str], role: str | None, page: str) -> None:
    client = app.test_client()
    if role:
        assert sign_in(client, USERS[role]).status_code == 302
    url = page.format(**places)
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    html = response.get_data(as_text=True)
    forms = forms_on(html, url.split("?")[0] if "?" not in url else url)
    if role:  # the language switcher is on every page: fuzzed once, from the sign-in page
        forms = [f for f in forms if f.action != "/language"]
    assert forms, f"{url} has no form"
    token = csrf_token(html)
    posts: Counter[int] = Counter()
    for form in forms:
        fuzz_form(app, client, form, token, posts)
    print(f"\nforms {url}: {len(forms)} forms, {sum(posts.values())} posts, statuses {dict(sorted(posts.items()))}")
    assert sum(posts.values()) >= len(forms) * EXAMPLES // 2


# Regressions: each 500 the fuzzing found, asserted directly.


@pytest.fixture
def admin(app: Flask, client: FlaskClient, places: dict[str, str]) -> FlaskClient:
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert sign_in(client, "root").status_code == 302
    return client


def test_a_form_over_the_size_limit_is_a_413(app: Flask, admin: FlaskClient) -> None:
    page = admin.get("/admin/agencies/new").get_data(as_text=True)
    response = admin.post("/admin/agencies/new", data={"csrf_token": csrf_token(page), "code": "X" * (1100 * 1024)})
    assert response.status_code == 413
    assert "too large" in page_text(response)
    assert admin.get("/admin/agencies").status_code == 200
    big_json = app.test_client().post("/api/v1/auth/token", data=b"x" * (1100 * 1024),
                                      content_type="application/json")
    assert big_json.status_code == 413 and big_json.get_json()["error"]["code"] == "too_large"


def test_control_characters_in_paths_queries_and_forms_are_a_clean_400(app: Flask, admin: FlaskClient) -> None:
    for url in ("/admin/users?q=%00", "/admin/users/%00", "/services?region=ML-7%00", "/login?next=%00",
                "/admin/audit?actor=a%1Bb"):
        response = admin.get(url)
        assert response.status_code == 400, url
        assert "control characters" in page_text(response)
    anonymous = app.test_client()
    anonymous.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    page = anonymous.get("/login").get_data(as_text=True)
    response = anonymous.post("/login", data={"csrf_token": csrf_token(page), "username": "awa\x00",
                                              "password": "x"})
    assert response.status_code == 400
    # In a JSON body, the field says what is wrong with it.
    api = anonymous.post("/api/v1/auth/token", json={"username": "a\x00b", "password": "x"})
    assert api.status_code == 422 and "username" in api.get_json()["error"]["fields"]
    # Line breaks and tabs are text, not control characters to refuse.
    page = admin.get("/admin/agencies/new").get_data(as_text=True)
    ok = admin.post("/admin/agencies/new", data={"csrf_token": csrf_token(page), "code": "NEWAG",
                                                 "name": "Agence\tdu\r\nNord"})
    assert ok.status_code in (200, 302, 422)


def test_deeply_nested_json_is_a_400(app: Flask) -> None:
    client = app.test_client()
    for body in ("[" * 100_000, '{"a":' * 50_000 + "1" + "}" * 50_000, '{"username": ' + "[" * 40 + "]" * 40 + "}"):
        response = client.post("/api/v1/auth/token", data=body, content_type="application/json")
        assert response.status_code == 400, body[:20]
        assert response.get_json()["error"]["code"] == "malformed_json"


def test_huge_page_numbers_show_the_last_page(app: Flask, admin: FlaskClient) -> None:
    for number in ("9223372036854775807", "99999999999999999999", "-5", "1e9", "٣", "0x10"):
        for url in ("/admin/audit", "/admin/users", "/admin/providers", "/services"):
            assert admin.get(f"{url}?page={number}").status_code == 200, (url, number)


def test_saving_an_existing_provider_again(app: Flask, admin: FlaskClient, places: dict[str, str]) -> None:
    url = f"/admin/providers/{places['provider']}"
    page = admin.get(url).get_data(as_text=True)
    data = {"csrf_token": csrf_token(page), "code": "CLINIC-GAO", "name": "Clinique de Gao", "agency": "SAHEL",
            "services": ["health", "psychosocial"], "locations": "ML-7; ML-7-03", "serves_children": "yes",
            "active": "yes"}
    for _ in range(2):
        assert admin.post(url, data=data).status_code == 302
    with app.app_context():
        provider = db.session.get(Provider, places["provider"])
        assert provider is not None
        assert provider.service_types == ["health", "psychosocial"]
        assert provider.location_codes == ["ML-7", "ML-7-03"]
    # The same code through the "new" form updates the entry rather than failing.
    page = admin.get("/admin/providers/new").get_data(as_text=True)
    again = admin.post("/admin/providers/new", data={**data, "csrf_token": csrf_token(page), "services": "health"})
    assert again.status_code == 302


def test_an_unknown_service_type_in_the_referral_form_says_what_is_wrong(
    app: Flask, client: FlaskClient, places: dict[str, str]
) -> None:
    assert sign_in(client, "awa").status_code == 302
    url = f"/cases/{places['case']}/refer"
    page = client.get(f"{url}?service_type=health").get_data(as_text=True)
    response = client.post(url, data={"csrf_token": csrf_token(page), "service_type": "teleportation",
                                      "provider_id": places["provider"], "request_key": "k2"},
                           headers={"Accept-Language": "en"})
    assert response.status_code == 422
    assert "Choose the service needed from the list" in page_text(response)
