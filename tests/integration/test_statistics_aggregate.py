"""GBVIMS reports read a maintained aggregate (counts per month × region × agency × table), kept
in the transaction of every incident write. Every write path that changes what an incident
counts as leaves it equal to a full count; a report reads it and not the incidents; the
commands rebuild it and say where it differs."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from flask_login import login_user
from sqlalchemy import func, select, update

from app.cases import erasure, service
from app.referrals import service as referrals
from gbvims import maintained
from gbvims.aggregates import Scope, build
from gbvims.period import parse
from models import Case, Incident, StatisticsCount, StatisticsState, User, db

from ..conftest import api_token, captured_sql, client_of
from .cases_helpers import case_payload, incident_payload

TODAY = dt.date.today()


def differences(app) -> list[str]:
    with app.app_context():
        return maintained.differences(db.session)


def counted_total(app) -> int:
    """Incidents in the aggregate's first table (type × delay × health), all agencies, all time."""
    with app.app_context():
        return int(
            db.session.scalar(
                select(func.coalesce(func.sum(StatisticsCount.n), 0)).where(
                    StatisticsCount.dimension == "gbv_type,delay,health"
                )
            )
        )


def gaps_counted(app) -> int:
    with app.app_context():
        return int(
            db.session.scalar(
                select(func.coalesce(func.sum(StatisticsCount.n), 0)).where(StatisticsCount.dimension == "gap_records")
            )
        )


def build_now(app) -> int:
    with app.app_context():
        written = maintained.rebuild(db.session)
        db.session.commit()
        return written


@pytest.fixture
def api(app, factory) -> Any:
    factory.user("awa")
    factory.agency("AUTRE", isp_signed=False)
    factory.user("binta", agency="AUTRE")
    clients = {name: client_of(app, name) for name in ("awa", "binta")}
    tokens = {name: api_token(clients[name], name) for name in clients}

    def call(name: str, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        response = clients[name].open(f"/api/v1{path}", method=method, json=body, headers=tokens[name])
        assert response.status_code in (200, 201), response.get_data(as_text=True)
        return response.get_json()

    return call


def register(api, name: str, *, incidents: int = 1, **survivor: Any) -> str:
    case_id = api(name, "POST", "/cases", case_payload(**survivor))["id"]
    for n in range(incidents):
        api(name, "POST", f"/cases/{case_id}/incidents", incident_payload(days_ago=n + 1))
    return case_id


def test_every_write_keeps_the_aggregate_equal_to_a_full_count(app, api) -> None:
    first = register(api, "awa", incidents=2)
    build_now(app)  # from here on, writes keep it
    assert counted_total(app) == 2

    second = register(api, "awa", incidents=3, age=15, sex="female")
    other = register(api, "binta", incidents=1)  # an agency that did not sign: kept, filtered on read
    assert counted_total(app) == 6 and differences(app) == []

    incident_id = api("awa", "GET", f"/cases/{second}")["incidents"][0]["id"]
    her_first = api("awa", "GET", f"/cases/{first}")["incidents"][0]["id"]
    with app.test_request_context():  # services nobody offers here: gaps, counted apart
        awa = db.session.scalars(select(User).where(User.username == "awa")).one()
        login_user(awa)
        referrals.record_gap(awa, db.session.get(Case, second), "legal", incident_id)
        referrals.record_gap(awa, db.session.get(Case, first), "shelter", her_first)
        db.session.commit()
    assert gaps_counted(app) == 2 and differences(app) == []
    api("awa", "PATCH", f"/cases/{second}/incidents/{incident_id}",
        {"classification": {"penetration": False, "unwanted_sexual_contact": True}, "time_of_day": "morning"})
    assert differences(app) == []  # reclassified: moved from rape to sexual assault

    api("awa", "PATCH", f"/cases/{second}/incidents/{incident_id}", {"reported_elsewhere": "gbvims_agency"})
    assert counted_total(app) == 5 and differences(app) == []  # counted by the other agency now

    api("awa", "PATCH", f"/cases/{second}/incidents/{incident_id}",
        {"date_of_interview": (TODAY - dt.timedelta(days=40)).isoformat(),
         "date_of_incident": (TODAY - dt.timedelta(days=45)).isoformat(), "reported_elsewhere": "no"})
    assert counted_total(app) == 6 and differences(app) == []  # back, in another month

    with app.test_request_context():
        awa = db.session.scalars(select(User).where(User.username == "awa")).one()
        login_user(awa)
        service.withdraw_consent(awa, db.session.get(Case, first), "reporting")
        db.session.commit()
    assert counted_total(app) == 4 and differences(app) == []  # her two incidents leave the counts
    assert gaps_counted(app) == 1  # and her gap

    consent = case_payload()["consent"]
    api("awa", "POST", f"/cases/{first}/consent", consent)
    assert counted_total(app) == 6 and differences(app) == []  # and come back with her consent

    with app.test_request_context():
        erasure.erase(db.session.get(Case, second))  # consented: the coarsened remains still count
        db.session.commit()
    assert counted_total(app) == 6 and gaps_counted(app) == 2 and differences(app) == []

    api("binta", "POST", f"/cases/{other}/consent", {**consent, "reporting": False})
    assert counted_total(app) == 5 and differences(app) == []
    with app.test_request_context():
        erasure.erase(db.session.get(Case, other))  # no consent to statistics: nothing is kept
        db.session.commit()
    assert counted_total(app) == 5 and differences(app) == []
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Incident)) == 5


def test_a_refused_write_changes_no_count(app, api) -> None:
    case_id = register(api, "awa", incidents=1)
    build_now(app)
    with app.app_context():
        before = maintained.contribution(db.session, case_ids=[case_id])
        incident = db.session.scalars(select(Incident).where(Incident.case_id == case_id)).one()
        incident.gbv_type = "sexual_assault"
        db.session.flush()  # the counts move in the transaction …
        assert maintained.differences(db.session) == []
        db.session.rollback()  # … and back with it
        assert maintained.contribution(db.session, case_ids=[case_id]) == before
    assert differences(app) == []


def test_a_report_reads_the_aggregate_not_the_incidents(app, api) -> None:
    for _ in range(6):
        register(api, "awa", incidents=1)
    build_now(app)
    with app.app_context():
        scope = Scope(parse(f"{TODAY:%Y}"))
        with captured_sql(app) as statements:
            report = build(db.session, scope)
    assert report.counted == 6
    read = [s for s in statements if "statistics_counts" in s]
    assert len(read) == 2  # the tables' counts, the recorded gaps
    assert not [s for s in statements if "incidents" in s or "service_gaps" in s]


def test_rebuilt_on_first_read_after_an_upgrade(app, api) -> None:
    for _ in range(6):
        register(api, "awa", incidents=1)
    build_now(app)
    with app.app_context():
        db.session.execute(update(StatisticsState).values(built_for="rules of an older release"))
        db.session.execute(update(StatisticsCount).values(n=StatisticsCount.n + 7))  # and wrong
        db.session.commit()
        report = build(db.session, Scope(parse(f"{TODAY:%Y}")))
        assert db.session.scalar(select(StatisticsState.built_for)) == maintained.FINGERPRINT
    assert report.counted == 6 and differences(app) == []


def test_the_check_command_names_a_difference_and_rebuild_mends_it(app, api) -> None:
    register(api, "awa", incidents=2)
    runner = app.test_cli_runner()
    unbuilt = runner.invoke(args=["stats", "check"])  # a fresh install: the first report builds it
    assert unbuilt.exit_code == 0 and "not built yet" in unbuilt.output
    built = runner.invoke(args=["stats", "rebuild"])
    assert built.exit_code == 0 and "statistics rebuilt" in built.output
    assert runner.invoke(args=["stats", "check"]).exit_code == 0

    with app.app_context():
        db.session.execute(
            update(StatisticsCount).where(StatisticsCount.dimension == "time_of_day").values(n=StatisticsCount.n + 1)
        )
        db.session.commit()
    checked = runner.invoke(args=["stats", "check"])
    assert checked.exit_code == 1 and "time_of_day" in checked.output and "aggregate 3, incidents 2" in checked.output
    assert runner.invoke(args=["stats", "rebuild"]).exit_code == 0
    assert runner.invoke(args=["stats", "check"]).exit_code == 0


def test_the_aggregate_holds_counts_and_codes_only(app, api) -> None:
    register(api, "awa", incidents=2, given_name="Kadiatou", family_name="Sidibé")
    build_now(app)
    with app.app_context():
        rows = db.session.execute(select(StatisticsCount)).scalars().all()
        dump = repr([(r.month, r.agency_id, r.region, r.dimension, r.key, r.n) for r in rows])
        case_ids = db.session.scalars(select(Case.id)).all()
    assert rows and "Kadiatou" not in dump and "Sidibé" not in dump and "76 12 34 56" not in dump
    assert not any(case_id in dump for case_id in case_ids)
