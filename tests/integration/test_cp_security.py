"""Access, encryption at rest and erasure, proven for GBV cases, run for child protection cases
too (parametrised by kind): a CP case's child, caregiver and free text are ciphertext in every
table; its blind indexes do not link a child across agencies; it is opened, listed and found
only in scope; every route of it refuses outsiders; and erasing it (the right to be forgotten,
approved by a second supervisor) leaves no row of it in any table and no readable value of it
anywhere in the database file.

``add_cp_records`` writes a CP case's best interests, tracing and care records through their
services (validation, encryption, audit), for the security tests of other files too.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask_login import login_user
from sqlalchemy import func, inspect, select, text

from app.cp import best_interests, care, links, tracing
from app.referrals.directory_admin import upsert_provider
from crypto import DecryptionError
from models import (
    Agency,
    Base,
    BestInterests,
    CareArrangement,
    Case,
    CaseAssignment,
    CaseDecision,
    CaseLink,
    CaseTransfer,
    ChildConcern,
    ChildProfile,
    Consent,
    DataKeyRecord,
    GraveViolation,
    Incident,
    Referral,
    Separation,
    Survivor,
    TracingStep,
    User,
    db,
)

from ..conftest import api_token, client_of, post_form, sign_in
from ..conftest import text as page_text
from .cases_helpers import add_incident, make_case, payload_of_kind

KINDS = ("gbv", "cp")
TODAY = dt.date.today()

# What a CP case's own records say in free text (encrypted under the case's key): one distinct
# value per field, so that each can be looked for in the database.
CP_TEXTS: dict[str, str] = {
    "child_views": "Veut vivre avec sa grand-mère Kadidiatou",
    "bia_summary": "Grand-mère retrouvée, maison en banco près du puits",
    "bid_summary": "Retour chez la grand-mère recommandé par l'équipe",
    "panel_notes": "Visite de suivi par le chef de quartier Bocoum",
    "place": "Gare routière, car du matin vers le fleuve",
    "sought": "Mariétou Touré, sa mère, et son oncle Issiaka",
    "tracing_notes": "Un oncle boutiquier l'a reconnu sur la photo",
    "carer": "Hawa Cissé, voisine de la tante",
    "care_notes": "Dort chez la voisine depuis mardi",
}
# The identifying values of each kind's registration (cases_helpers) and of its records.
REGISTERED = {
    "gbv": ("Aïssata", "Maïga", "76 12 34 56", "Château"),
    "cp": ("Moussa", "Touré", "Fanta Touré (tante)", "66 00 11 22", "Château"),
}
FULL_NAME = {"gbv": "Aïssata Maïga", "cp": "Moussa Touré"}
ADDRESS = "Quartier Château, chez sa tante"
CP_ROWS = (ChildProfile, ChildConcern, BestInterests, Separation, TracingStep, CareArrangement, GraveViolation)


def add_cp_records(
    app: Flask, username: str, case_id: str, texts: Mapping[str, str] | None = None, decider: str | None = None
) -> dict[str, str]:
    """A BIA and a BID, the separation, a tracing action and a care arrangement, each with its
    free text (``texts`` over ``CP_TEXTS``); with ``decider``, that supervisor records the
    panel's decision on the BID. Returns the new rows' ids by name."""
    words = {**CP_TEXTS, **(texts or {})}
    day = (TODAY - dt.timedelta(days=3)).isoformat()
    with app.test_request_context():
        user = db.session.scalar(select(User).where(User.username == username))
        login_user(user)
        case = db.session.get(Case, case_id)
        assert user is not None and case is not None
        bia = best_interests.record_assessment(
            user,
            case,
            {
                "priority": "1_week",
                "child_views": words["child_views"],
                "recommendation": "reunification",
                "summary": words["bia_summary"],
            },
        )
        bid = best_interests.submit_determination(
            user, case, {"assessment_id": bia.id, "recommendation": "reunification", "summary": words["bid_summary"]}
        )
        separation = tracing.record_separation(
            user, case, {"date": day, "cause": "conflict", "place": words["place"], "sought": words["sought"]}
        )
        step = tracing.add_action(
            user, case, {"date": day, "action": "individual", "outcome": "successful", "notes": words["tracing_notes"]}
        )
        arrangement = care.start(
            user,
            case,
            {"arrangement": "kinship", "started": day, "carer": words["carer"], "notes": words["care_notes"]},
        )
        db.session.commit()
        ids = {"bia": bia.id, "bid": bid.id, "separation": separation.id, "tracing": step.id, "care": arrangement.id}
    if decider is not None:
        with app.test_request_context():
            supervisor = db.session.scalar(select(User).where(User.username == decider))
            login_user(supervisor)
            case = db.session.get(Case, case_id)
            best_interests.decide(
                supervisor,
                case,
                ids["bid"],
                {"decision": "modified", "date": TODAY.isoformat(), "notes": words["panel_notes"]},
            )
            db.session.commit()
    return ids


def secrets_of(kind: str) -> tuple[str, ...]:
    """Every identifying value a case of ``kind`` built by ``case_of`` holds."""
    return REGISTERED[kind] + (tuple(CP_TEXTS.values()) if kind == "cp" else ("route du marché",))


def case_of(
    app: Flask,
    kind: str,
    username: str = "awa",
    decider: str | None = "fatou",
    reporting: bool = True,
    **survivor: Any,
) -> str:
    """A case of ``kind`` with everything identifying it can hold: for GBV an incident, for CP
    its best interests, tracing and care records (and an MRM violation at registration)."""
    payload = payload_of_kind(kind, address=ADDRESS, **survivor)
    payload["consent"]["reporting"] = reporting
    if kind == "cp":
        month_ago = (TODAY - dt.timedelta(days=30)).isoformat()
        payload["grave_violations"] = [{"violation": "abduction", "date": month_ago, "perpetrator": "armed_group"}]
    case_id = make_case(app, username, payload)
    if kind == "gbv":
        add_incident(app, username, case_id)
    else:
        add_cp_records(app, username, case_id, decider=decider)
    return case_id


def dump_everything(app: Flask, leave_out: tuple[str, ...] = ()) -> str:
    """Every row of every table but the reference list of places, as the database returns it."""
    with app.app_context():
        rows = [
            (table.name, tuple(row))
            for table in Base.metadata.sorted_tables
            if table.name not in ("locations", *leave_out)
            for row in db.session.execute(table.select())
        ]
    return repr(rows)


def database_file(app: Flask) -> bytes | None:
    """The SQLite file's bytes (free pages included); None on PostgreSQL."""
    with app.app_context():
        if db.engine.url.get_backend_name() != "sqlite":
            return None
        path = db.engine.url.database
    return Path(path).read_bytes() if path else None


def readable(response: Any) -> str:
    """A page or an API answer as a person reads it (entities and JSON escapes decoded)."""
    body = page_text(response)
    if response.is_json:
        body += json.dumps(response.get_json(silent=True), ensure_ascii=False)
    return body


def count(app: Flask, model: Any) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model)) or 0


@pytest.fixture
def team(factory):
    factory.user("awa", role="caseworker", agency="ESPOIR")
    factory.user("binta", role="caseworker", agency="ESPOIR")
    factory.user("fatou", role="supervisor", agency="ESPOIR")
    factory.user("aminata", role="supervisor", agency="ESPOIR")
    factory.user("ousmane", role="caseworker", agency="DJIGUIYA")
    factory.user("sidi", role="supervisor", agency="DJIGUIYA")
    factory.user("bakary", role="provider", agency="ESPOIR")  # not the child Moussa
    factory.user("mariam", role="cluster_lead", agency=None)  # the GBV sub-cluster's lead
    factory.user("kadi", role="cluster_lead", agency=None, sub_cluster="cp")
    factory.user("admin", role="admin", agency=None)
    return factory


# --- encryption at rest -------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_identifying_values_never_reach_the_database_in_clear(app, team, kind) -> None:
    case_id = case_of(app, kind, ethnicity="Songhaï", religion="Chrétienne")
    secrets = (*secrets_of(kind), "Songhaï", "Chrétienne")
    dump, raw = dump_everything(app), database_file(app)
    for secret in secrets:
        assert secret not in dump, secret
        if raw is not None:
            assert secret.encode() not in raw and secret.encode("utf-16-le") not in raw, secret
    with app.app_context():  # stored, and read back through the case's key
        survivor = db.session.scalar(select(Survivor).where(Survivor.case_id == case_id))
        assert survivor is not None and survivor.address == ADDRESS and survivor.ethnicity == "Songhaï"
        if kind == "cp":
            assert (survivor.caregiver_name, survivor.caregiver_phone) == ("Fanta Touré (tante)", "+223 66 00 11 22")
            columns = db.session.execute(
                text("SELECT given_name, caregiver_name, caregiver_phone FROM survivors WHERE case_id = :c"),
                {"c": case_id},
            ).one()
            assert all(
                value is not None and b"Fanta" not in bytes(value) and b"66 00" not in bytes(value) for value in columns
            )
            case = db.session.get(Case, case_id)
            stored = [b.child_views for b in case.best_interests] + [b.summary for b in case.best_interests]
            stored += [case.separation.place, case.separation.sought, case.tracing_steps[0].notes]
            stored += [case.care_arrangements[0].carer, case.care_arrangements[0].notes]
            stored += [b.panel_notes for b in case.best_interests if b.panel_notes]
            assert set(CP_TEXTS.values()) <= set(stored)


@pytest.mark.parametrize("kind", KINDS)
def test_encrypted_values_are_bound_to_their_row(app, team, kind) -> None:
    """A DBA who copies one row's ciphertext onto another's gets nothing readable."""
    first = case_of(app, kind)
    second = case_of(app, kind, given_name="Fanta")
    with app.app_context():
        a = db.session.scalar(select(Survivor).where(Survivor.case_id == first))
        b = db.session.scalar(select(Survivor).where(Survivor.case_id == second))
        assert a is not None and b is not None
        b._given_name, b._caregiver_name = a._given_name, a._caregiver_name
        with pytest.raises(DecryptionError):
            _ = b.given_name
        if kind == "cp":
            with pytest.raises(DecryptionError):
                _ = b.caregiver_name
            # Within one case (same key), a value copied to another row of it...
            case = db.session.get(Case, first)
            bia, bid = sorted(case.best_interests, key=lambda r: r.kind)
            bid._summary = bia._summary
            with pytest.raises(DecryptionError):
                _ = bid.summary
            # ...and from another case's row (another key).
            other = db.session.get(Case, second)
            other.separation._place = case.separation._place
            with pytest.raises(DecryptionError):
                _ = other.separation.place
        db.session.rollback()


@pytest.mark.parametrize("kind", KINDS)
def test_blind_indexes_do_not_link_a_child_across_agencies(app, client, team, kind) -> None:
    """The same person registered by two agencies: the indexes differ; each agency finds its own,
    and a transferred case is found by its new agency."""
    here = make_case(app, "awa", payload_of_kind(kind))
    there = make_case(app, "ousmane", payload_of_kind(kind))
    with app.app_context():
        triples = {
            s.case_id: (s.given_name_bidx, s.family_name_bidx, s.phone_bidx)
            for s in db.session.scalars(select(Survivor))
        }
    assert triples[here] != triples[there]
    assert all(a != b for a, b in zip(triples[here], triples[there], strict=True) if a is not None)
    for user, case_id in (("awa", here), ("ousmane", there)):
        found = client.post("/api/v1/cases/search", json={"q": FULL_NAME[kind]}, headers=api_token(client, user))
        assert [c["id"] for c in found.get_json()["items"]] == [case_id]
    web = app.test_client()
    sign_in(web, "awa")
    assert post_form(web, f"/cases/{here}/transfer", {"agency": "DJIGUIYA", "consent": "yes"}).status_code == 302
    with app.app_context():
        transfer_id = db.session.scalar(select(CaseTransfer.id))
    sidi = client_of(app, "sidi")
    assert post_form(sidi, "/cases", {}, action=f"/transfers/{transfer_id}/accept").status_code == 302
    found = client.post("/api/v1/cases/search", json={"q": FULL_NAME[kind]}, headers=api_token(client, "sidi"))
    assert sorted(c["id"] for c in found.get_json()["items"]) == sorted([here, there])
    gone = client.post("/api/v1/cases/search", json={"q": FULL_NAME[kind]}, headers=api_token(client, "fatou"))
    assert gone.get_json()["items"] == []  # the old agency no longer finds the transferred case


# --- scope ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_another_agency_gets_the_404_of_an_unknown_case(app, client, team, kind) -> None:
    """Page and API: a case of another agency answers exactly like one that does not exist."""
    case_id = case_of(app, kind)
    unknown = "00000000-0000-4000-8000-000000000000"
    for outsider in ("ousmane", "sidi"):
        web = client_of(app, outsider)
        page, missing = web.get(f"/cases/{case_id}"), web.get(f"/cases/{unknown}")
        assert page.status_code == missing.status_code == 404
        assert not any(s in readable(page) for s in secrets_of(kind))
        headers = api_token(client, outsider)
        api, api_missing = (client.get(f"/api/v1/cases/{c}", headers=headers) for c in (case_id, unknown))
        assert api.status_code == api_missing.status_code == 404
        assert api.get_json() == api_missing.get_json()


OUTSIDERS = ("binta", "ousmane", "sidi", "bakary", "mariam", "kadi", "admin")
# A body for every form and API call of a case, with what each would need to write something.
ATTEMPT = {
    "decision": "approve",
    "what": "all",
    "kind": "bia",
    "priority": "1_week",
    "child_views": "x",
    "recommendation": "reunification",
    "summary": "x",
    "step": "separation",
    "cause": "conflict",
    "place": "x",
    "arrangement": "kinship",
    "started": TODAY.isoformat(),
    "ended": TODAY.isoformat(),
    "date": TODAY.isoformat(),
    "reason": "needs_met",
    "agency": "DJIGUIYA",
    "consent": "yes",
    "risk_level": "low",
    "violation": "abduction",
    "perpetrator": "armed_group",
    "service_type": "health",
}


def _concrete(rule: str, case_id: str) -> str:
    url = rule.replace("<case_id>", case_id)
    url = re.sub(r"<any\(([^,)]+)[^>]*>", lambda m: m.group(1).strip("'\" "), url)
    return re.sub(r"<[^>]+>", "x", url)


def _state(app: Flask, case_id: str) -> tuple[Any, ...]:
    with app.app_context():
        case = db.session.get(Case, case_id)
        assert case is not None
        rows = tuple(
            db.session.scalar(select(func.count()).select_from(model))
            for model in (*CP_ROWS, CaseLink, Incident, CaseDecision, CaseTransfer, Referral, Consent, CaseAssignment)
        )
        return (
            case.status,
            case.consent_services,
            case.purged_at,
            case.owner_id,
            case.agency_id,
            case.risk_level,
            case.survivor.given_name,
            rows,
        )


@pytest.mark.parametrize("outsider", OUTSIDERS)
@pytest.mark.parametrize("kind", KINDS)
def test_outsiders_are_refused_every_route_of_a_case(app, client, team, kind, outsider) -> None:
    """Every page and API route that takes a case id, every method, with a valid CSRF token or
    a valid API token: refused (403, or 404 out of scope), nothing shown, nothing written."""
    case_id = case_of(app, kind)
    before = _state(app, case_id)
    web = client_of(app, outsider)
    headers = api_token(client, outsider)
    checked = 0
    for rule in app.url_map.iter_rules():
        if "<case_id>" not in rule.rule:
            continue
        url = _concrete(rule.rule, case_id)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            if rule.rule.startswith("/api/"):
                response = client.open(url, method=method, json=ATTEMPT, headers=headers)
            elif method == "POST":
                response = post_form(web, "/account", ATTEMPT, action=url)
            else:
                response = web.get(url)
            assert response.status_code in (403, 404), (method, url, response.status_code)
            assert not any(s in readable(response) for s in secrets_of(kind)), (method, url)
            checked += 1
    assert checked >= 40
    assert _state(app, case_id) == before


@pytest.mark.parametrize("kind", KINDS)
def test_lists_search_and_clocks_show_cases_only_in_scope(app, client, team, kind) -> None:
    """The same child registered three times: by awa, by binta (same agency) and by ousmane
    (another agency). Each person's list, search and home page show the cases in their scope."""
    cases = {owner: make_case(app, owner, payload_of_kind(kind)) for owner in ("awa", "binta", "ousmane")}
    with app.app_context():
        codes = {owner: db.session.get(Case, cid).case_code for owner, cid in cases.items()}
    scope = {"awa": {"awa"}, "binta": {"binta"}, "fatou": {"awa", "binta"}, "ousmane": {"ousmane"}, "sidi": {"ousmane"}}
    for person, owners in scope.items():
        headers = api_token(client, person)
        expected = sorted(cases[o] for o in owners)
        listed = client.get("/api/v1/cases", headers=headers).get_json()
        assert sorted(c["id"] for c in listed["items"]) == expected, person
        found = client.post("/api/v1/cases/search", json={"q": FULL_NAME[kind]}, headers=headers).get_json()
        assert sorted(c["id"] for c in found["items"]) == expected, person
        web = client_of(app, person)
        pages = {
            "list": web.get("/cases"),
            "search": post_form(web, "/cases", {"q": FULL_NAME[kind]}),
            "home": web.get("/"),
        }
        for name, page in pages.items():
            assert page.status_code == 200, (person, name)
            body = page_text(page)
            for owner, code in codes.items():
                if owner not in owners:
                    assert code not in body and f"/cases/{cases[owner]}" not in body, (person, name, owner)
        for owner in owners:
            assert f"/cases/{cases[owner]}" in page_text(pages["list"]), (person, owner)
            assert f"/cases/{cases[owner]}" in page_text(pages["search"]), (person, owner)
        if kind == "cp":  # a first action not yet taken: each child's clock on the home page
            assert {o for o in cases if codes[o] in page_text(pages["home"])} == owners, person
    for outsider in ("bakary", "mariam", "kadi", "admin"):
        headers = api_token(client, outsider)
        assert client.get("/api/v1/cases", headers=headers).status_code == 403
        assert client.post("/api/v1/cases/search", json={"q": FULL_NAME[kind]}, headers=headers).status_code == 403
        web = client_of(app, outsider)
        assert web.get("/cases").status_code == 403
        assert not any(code in page_text(web.get("/")) for code in codes.values())


def test_a_transferred_cp_case_takes_its_mrm_rows_to_its_new_agency(app, team) -> None:
    """A grave violation copies its case's agency (with its region and consent to statistics) so
    the MRM counts need no join to the case. The consent and region copies follow the case; the
    agency copy must too: otherwise the old agency's MRM figures keep counting a child now in
    another agency's scope, and the new agency's miss it."""
    case_id = make_case(
        app,
        "awa",
        payload_of_kind("cp")
        | {
            "grave_violations": [
                {
                    "violation": "abduction",
                    "date": (TODAY - dt.timedelta(days=5)).isoformat(),
                    "perpetrator": "armed_group",
                }
            ],
        },
    )
    awa = client_of(app, "awa")
    assert post_form(awa, f"/cases/{case_id}/transfer", {"agency": "DJIGUIYA", "consent": "yes"}).status_code == 302
    with app.app_context():
        transfer_id = db.session.scalar(select(CaseTransfer.id))
    assert post_form(client_of(app, "sidi"), "/cases", {}, action=f"/transfers/{transfer_id}/accept").status_code == 302
    with app.app_context():
        case = db.session.get(Case, case_id)
        violation = db.session.scalars(select(GraveViolation).where(GraveViolation.case_id == case_id)).one()
        djiguiya = db.session.scalar(select(Agency.id).where(Agency.code == "DJIGUIYA"))
        assert case.agency_id == djiguiya  # the case moved...
        assert violation.agency_id == djiguiya  # ...and its MRM row with it


# --- erasure ------------------------------------------------------------------------------------


def _case_columns() -> list[Any]:
    """Every column that names a case (a foreign key to ``cases``), in every table."""
    return [
        column
        for table in Base.metadata.sorted_tables
        for column in table.columns
        if any(fk.column.table.name == "cases" for fk in column.foreign_keys)
    ]


def rows_naming(app: Flask, case_id: str) -> dict[str, int]:
    """How many rows of each table name the case (only tables that do)."""
    with app.app_context():
        found = {
            f"{column.table.name}.{column.name}": db.session.scalar(
                select(func.count()).select_from(column.table).where(column == case_id)
            )
            for column in _case_columns()
        }
    return {name: n for name, n in found.items() if n}


@pytest.mark.parametrize("reporting", [True, False], ids=["statistics", "no-statistics"])
@pytest.mark.parametrize("kind", KINDS)
def test_an_erased_case_leaves_no_row_and_no_readable_value(app, team, kind, reporting) -> None:
    """The right to be forgotten, asked by a supervisor and approved by another: no table keeps a
    row naming the case (a CP case's profile, concerns, best interests, separation, tracing, care,
    violations and links included), its key is shredded, and no identifying value is left in the
    database — nor in the SQLite file's free pages."""
    case_id = case_of(app, kind, reporting=reporting)
    with app.app_context():  # a service the child was referred to holds a copy of the name
        provider_id = upsert_provider(
            {
                "code": "CLINIC-GAO",
                "name": "Clinique",
                "agency": "ESPOIR",
                "services": "health",
                "locations": "ML-7",
                "serves_children": True,
            }
        ).id
        db.session.commit()
    team.user("issa", role="provider", agency="ESPOIR", provider_id=provider_id)
    sent = app.test_client().post(
        f"/api/v1/cases/{case_id}/referrals",
        json={"service_type": "health", "provider_id": provider_id, "share": ["given_name", "age"]},
        headers=api_token(app.test_client(), "awa"),
    )
    assert sent.status_code == 201, sent.get_json()
    inbox = app.test_client()
    provider = api_token(inbox, "issa")
    assert REGISTERED[kind][0] in readable(inbox.get("/api/v1/referrals", headers=provider))
    other_kind = "gbv" if kind == "cp" else "cp"
    partner = make_case(app, "awa", payload_of_kind(other_kind, given_name="Djeneba"))  # the child's other case
    with app.test_request_context():
        awa = db.session.scalar(select(User).where(User.username == "awa"))
        login_user(awa)
        case = db.session.get(Case, case_id)
        links.link(awa, case, {"case_code": db.session.get(Case, partner).case_code})
        db.session.commit()
        code, key_id = case.case_code, case.data_key_record.id
    before = rows_naming(app, case_id)
    if kind == "cp":  # every CP table holds rows of the case, and the link names it
        expected = {f"{m.__tablename__}.case_id" for m in CP_ROWS} | {"survivors.case_id", "case_links.cp_case_id"}
        assert expected <= set(before)
    fatou, aminata = client_of(app, "fatou"), client_of(app, "aminata")
    page = f"/cases/{case_id}"
    assert code in page_text(fatou.get(f"/cases/{partner}"))  # the link shows before the erasure
    assert post_form(fatou, page, {"confirm": "yes"}, action=f"{page}/purge").status_code == 302
    with app.app_context():
        decision_id = db.session.scalar(
            select(CaseDecision.id).where(CaseDecision.case_id == case_id, CaseDecision.kind == "purge")
        )
    assert (
        post_form(
            fatou, page, {"decision": "approve", "confirm": "yes"}, action=f"{page}/decisions/{decision_id}"
        ).status_code
        == 409
    )
    approved = post_form(
        aminata, page, {"decision": "approve", "confirm": "yes"}, action=f"{page}/decisions/{decision_id}"
    )
    assert approved.status_code == 302

    with app.app_context():
        assert db.session.get(Case, case_id) is None
        record = db.session.get(DataKeyRecord, key_id)
        assert record is not None and record.wrapped_key is None and record.shredded_at is not None
        packets = db.session.scalars(select(DataKeyRecord).where(DataKeyRecord.owner.like("referral:%"))).all()
        assert packets and all(k.wrapped_key is None for k in packets)  # the referral's copy too
        assert rows_naming(app, case_id) == {}
        # What statistics keep, when allowed, hangs off a new case row that holds nothing of the child.
        remains = db.session.scalars(select(Case).where(Case.case_code.like("ERASED-%"))).all()
        assert len(remains) == (1 if reporting else 0)
        for holder in remains:
            assert holder.kind == kind and holder.survivor is None and holder.data_key_record is None
            for model in (*CP_ROWS[:-1], Survivor, Consent):  # MRM codes aside, nothing of the child
                held = select(func.count()).select_from(model).where(model.case_id == holder.id)
                assert db.session.scalar(held) == 0, model.__tablename__
        # No encrypted row left decrypts to anything of the erased case.
        for model in (Survivor, BestInterests, Separation, TracingStep, CareArrangement):
            encrypted = [a.key[1:] for a in inspect(model).column_attrs if a.key.startswith("_")]
            for row in db.session.scalars(select(model)):
                values = {str(v) for v in (getattr(row, name) for name in encrypted) if v is not None}
                assert not values & set(secrets_of(kind)), model.__tablename__
        db.session.remove()
    dump, raw = dump_everything(app), database_file(app)
    for secret in secrets_of(kind):
        assert secret not in dump, secret
        if raw is not None:
            assert secret.encode() not in raw, secret
    # Only the audit log (by design) and the shredded key's record still name the case's id.
    kept = dump_everything(app, leave_out=("audit_events", "data_keys"))
    assert case_id not in kept and code not in kept
    # The case is gone from every page, and from the page of the case it was linked to.
    assert fatou.get(page).status_code == 404
    for url in ("/cases", f"/cases/{partner}", "/"):
        body = page_text(fatou.get(url))
        assert code not in body and FULL_NAME[kind] not in body, url
    assert count(app, CaseLink) == 0
    assert inbox.get("/api/v1/referrals", headers=provider).get_json()["items"] == []


@pytest.mark.parametrize("kind", KINDS)
def test_an_erasure_rolled_back_keeps_the_whole_case(app, team, kind) -> None:
    """A supervisor who refuses the erasure: every record of the case stays, readable."""
    case_id = case_of(app, kind)
    fatou, aminata = client_of(app, "fatou"), client_of(app, "aminata")
    page = f"/cases/{case_id}"
    post_form(fatou, page, {"confirm": "yes"}, action=f"{page}/purge")
    with app.app_context():
        decision_id = db.session.scalar(select(CaseDecision.id).where(CaseDecision.kind == "purge"))
    refused = post_form(
        aminata,
        page,
        {"decision": "reject", "comment": "La survivante a changé d'avis"},
        action=f"{page}/decisions/{decision_id}",
    )
    assert refused.status_code == 302
    shown = page_text(aminata.get(page))
    assert FULL_NAME[kind] in shown
    if kind == "cp":
        assert CP_TEXTS["carer"] in shown and CP_TEXTS["child_views"] in shown
        assert all(count(app, model) > 0 for model in CP_ROWS)
