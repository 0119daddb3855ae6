"""Changes a mutation run over the domain packages and the policy made without any test
noticing — each has its test here now. The mutant each test kills is named in its docstring."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from flask import Flask

from crypto import DecryptionError, decrypt_text, encrypt_text, field_context
from crypto.envelope import DataKey
from gbvims.aggregates import Scope, build
from gbvims.period import parse
from models import Case, Survivor, db
from models.survivor import agency_index_key

from ..conftest import api_token, sign_in
from ..integration.cases_helpers import add_incident, case_payload, incident_payload, make_case


@pytest.fixture
def team(factory):
    factory.user("awa", role="caseworker", agency="ESPOIR")
    factory.user("binta", role="caseworker", agency="ESPOIR")
    factory.user("fatou", role="supervisor", agency="ESPOIR")
    factory.user("ousmane", role="caseworker", agency="DJIGUIYA")
    return factory


def test_lists_show_only_the_cases_in_scope(app: Flask, client, team) -> None:
    """Mutants: a caseworker's list showing every case of the agency with names; a
    supervisor's list showing every agency's cases."""
    make_case(app, "awa", case_payload(given_name="Aminata"))
    make_case(app, "binta", case_payload(given_name="Binta-Survivor"))
    make_case(app, "ousmane", case_payload(given_name="Ousmane-Survivor"))
    expected = {
        "awa": {"Aminata"},
        "binta": {"Binta-Survivor"},
        "fatou": {"Aminata", "Binta-Survivor"},
        "ousmane": {"Ousmane-Survivor"},
    }
    everyone = {"Aminata", "Binta-Survivor", "Ousmane-Survivor"}
    for username, names in expected.items():
        web = app.test_client()
        sign_in(web, username)
        page = web.get("/cases").get_data(as_text=True)
        assert {n for n in everyone if n in page} == names, username
        listed = client.get("/api/v1/cases", headers=api_token(client, username)).get_json()["items"]
        assert len(listed) == len(names), username


def test_the_row_id_is_bound_into_every_ciphertext() -> None:
    """Mutant: the row id dropped from the associated data (a value copied to another row of
    the same column would then decrypt there)."""
    key = DataKey.generate()
    here = field_context("survivors", "given_name", "row-1")
    blob = encrypt_text(key, "Aïssata", here)
    assert decrypt_text(key, blob, here) == "Aïssata"
    for other_row in ("row-2", "row-10", "1-row"):
        with pytest.raises(DecryptionError):
            decrypt_text(key, blob, field_context("survivors", "given_name", other_row))


def _report(app: Flask, k: int):
    with app.test_request_context():
        return build(db.session, Scope(period=parse(str(dt.date.today().year)), k=k))


def _incidents(app: Flask, username: str, count: int, **survivor: object) -> None:
    for _ in range(count):
        case_id = make_case(app, username, case_payload(**survivor))
        add_incident(app, username, case_id, incident_payload(days_ago=3))


def test_the_configured_threshold_is_the_one_applied(app: Flask, client, team, monkeypatch) -> None:
    """Mutant: the configured small-cell threshold replaced by 3 (4 rapes were then published)."""
    team.user("mariam", role="cluster_lead", agency=None)
    _incidents(app, "awa", 4)
    headers = api_token(client, "mariam")
    period = str(dt.date.today().year)
    for k, published in ((5, False), (4, True), (7, False)):
        monkeypatch.setitem(app.config, "STATS_MIN_CELL", k)
        answer = client.get("/api/v1/stats/gbvims", query_string={"period": period}, headers=headers)
        if published:
            table = next(t for t in answer.get_json()["tables"] if t["id"] == "incidents_by_type")
            assert 4 in [cell for row in table["cells"] for cell in row], k
        else:
            assert answer.status_code == 422, k  # 4 incidents in all: too few to publish anything


def test_multi_response_tables_hide_counts_from_one_to_k_minus_one(app: Flask, team) -> None:
    """Mutant: multi-response tables (context flags, age groups) publishing counts of 1 to 4."""
    _incidents(app, "awa", 6)  # adults
    _incidents(app, "awa", 2, date_of_birth=None, age=15)  # two children: a small count
    report = _report(app, k=5)
    for table in (t for t in report.tables if not t.additive):
        values = [v for row in table.protected.cells for v in row if v is not None]
        assert all(v == 0 or v >= 5 for v in values), table.id
    groups = report.table("survivors_age_groups")
    children = dict(zip([code for code, _ in groups.rows], groups.protected.cells, strict=True))["children"]
    assert children == [None]


def test_a_near_miss_in_the_same_bucket_is_never_shown(app: Flask, client, team) -> None:
    """Mutant: near-miss search results shown (the blind index's bucket returned as is)."""
    wanted = make_case(app, "awa", case_payload(given_name="Aïssata", family_name="Coulibaly", phone="70000001"))
    with app.app_context():
        agency_id = db.session.get(Case, wanted).agency_id
        index = Survivor.given_name.blind_index("survivors")
        key = agency_index_key(agency_id)
        bucket = index.compute(key, "Aïssata")
        candidates = ("Fanta" + "".join(letters) for letters in itertools.product("abcdefghijklmnop", repeat=4))
        twin = next(name for name in candidates if index.compute(key, name) == bucket)
    near_miss = make_case(app, "awa", case_payload(given_name=twin, family_name="Keita", phone="70000002"))
    found = client.post("/api/v1/cases/search", json={"q": "Aïssata"}, headers=api_token(client, "awa")).get_json()
    assert [c["id"] for c in found["items"]] == [wanted]
    assert near_miss not in {c["id"] for c in found["items"]}
