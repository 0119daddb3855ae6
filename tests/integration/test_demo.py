"""The demo data set: loaded through the real services, and as varied as real intake forms —
pathway lines answered every way or left unrecorded, exact times and times of day, groups of
perpetrators, children whose consent follows their age, recent rapes with the PEP countdown."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from app.cases.incidents import incident_windows
from app.demo import load
from app.demo.cases import NORTH, demo_cases
from gbvims.consent import consent_problems
from models import Case, Incident, Referral, ServiceGap, db, utcnow


@pytest.fixture
def incidents(app) -> Iterator[list[Incident]]:
    with app.app_context():
        assert load()
        yield list(db.session.scalars(select(Incident)))


def statuses(incidents: list[Incident], line: str | None = None) -> Counter[str | None]:
    return Counter(status for i in incidents for name, status in i.pathway().items() if line is None or name == line)


def north(incident: Incident) -> bool:
    return incident.region_code in NORTH


def test_the_demo_is_the_same_for_the_same_day() -> None:
    day = dt.date(2026, 3, 8)
    assert demo_cases(day) == demo_cases(day)
    assert len(demo_cases(day)) == 36


def test_pathway_lines_are_answered_every_way_or_not_recorded(incidents) -> None:
    every = statuses(incidents)
    assert set(every) == {
        None,
        "referred",
        "provided_by_agency",
        "received_elsewhere",
        "not_applicable",
        "declined_by_survivor",
        "service_unavailable",
    }
    assert every[None] > every["referred"]  # many lines are simply not recorded: no default
    psychosocial = statuses(incidents, "psychosocial")
    assert psychosocial.most_common(1)[0][0] == "provided_by_agency"
    rapes = [i for i in incidents if i.gbv_type == "rape"]
    cared = [i for i in rapes if i.pathway_health in ("referred", "provided_by_agency", "received_elsewhere")]
    assert len(cared) > len(rapes) / 2
    for line in ("legal", "shelter"):
        in_the_north = Counter(getattr(i, f"pathway_{line}") for i in incidents if north(i))
        assert in_the_north["service_unavailable"] >= 3 and in_the_north["referred"] == 0


def test_every_unavailable_service_is_a_recorded_gap_of_its_incident(incidents) -> None:
    gaps = db.session.scalars(select(ServiceGap)).all()
    assert {(g.incident_id, g.service_type) for g in gaps} == {
        (i.id, line) for i in incidents for line, status in i.pathway().items() if status == "service_unavailable"
    }


def test_times_are_exact_for_some_incidents_only(incidents) -> None:
    exact = [i for i in incidents if i.time_of_incident]
    assert len(exact) >= 5
    assert any(i.time_of_incident is None and i.time_of_day != "unknown" for i in incidents)
    assert any(i.time_of_day == "unknown" for i in incidents)


def test_two_recent_rapes_show_the_pep_countdown(incidents) -> None:
    now = utcnow()
    recent = [
        i
        for i in incidents
        if i.gbv_type == "rape" and any(w.care == "pep" and w.state(now) == "open" for w in incident_windows(i))
    ]
    assert any(i.time_of_incident for i in recent)
    assert any(i.time_of_incident is None and i.time_of_day == "evening_night" for i in recent)
    assert all(i.pathway_health == "referred" for i in recent)


def test_perpetrators_come_alone_in_groups_or_unknown(incidents) -> None:
    for incident in incidents:
        assert sum(p.primary for p in incident.perpetrators) == 1
    assert any(p.primary and p.position > 0 for i in incidents for p in i.perpetrators)
    assert any(2 <= len(i.perpetrators) <= 4 for i in incidents)
    counts = Counter(i.perpetrator_count for i in incidents)
    assert counts["1"] > counts["more_than_3"] > 0 and counts["unknown"] > 0
    assert {"male", "female", "both", "unknown"} <= {i.perpetrator_sex for i in incidents}


def test_non_gbv_incidents_are_described(incidents) -> None:
    non_gbv = [i for i in incidents if i.gbv_type == "non_gbv"]
    assert non_gbv and all(i.non_gbv_description for i in non_gbv)


def test_survivors_nationalities_occupations_and_children(incidents) -> None:
    cases = db.session.scalars(select(Case).where(Case.kind == "gbv")).all()
    nationalities = Counter(c.survivor.nationality for c in cases)
    assert nationalities["ML"] > len(cases) / 2
    assert len({"BF", "NE", "MR", "unknown"} & set(nationalities)) >= 3
    occupations = {c.survivor.occupation for c in cases}
    assert {"herder", "gold_miner"} & occupations and len(occupations) >= 6
    children = [c for c in cases if c.survivor.age_at_registration < 18]
    assert len(children) >= 5
    for case in children:
        consent = case.consents[-1]
        assert consent_problems(case.survivor.age_at_registration, consent.given_by, consent.assent) == []
        assert case.survivor.lives_alone and case.survivor.caretaker_relation
    assert {"caregiver", "survivor", "trusted_adult", "caseworker"} == {c.consents[-1].given_by for c in children}
    assert {"none", "oral", "written"} == {c.consents[-1].assent for c in children}


def test_referrals_name_their_incident_in_cases_with_several(incidents) -> None:
    cases = db.session.scalars(select(Case)).all()
    several = [c for c in cases if len(c.incidents) > 1]
    assert len(several) >= 3
    referrals = db.session.scalars(select(Referral)).all()
    assert all(r.incident_id in {i.id for i in r.case.incidents} for r in referrals)
    assert any(len(r.case.incidents) > 1 for r in referrals)
    assert {r.state for r in referrals} == {
        "sent",
        "accepted",
        "declined",
        "service_delivered",
        "not_delivered",
        "closed",
        "withdrawn",
    }


def test_child_protection_cases_of_every_concern_and_risk(incidents) -> None:
    from cpims.options import PROTECTION_CONCERNS
    from models import ChildConcern, GraveViolation, TracingStep

    cases = db.session.scalars(select(Case).where(Case.kind == "cp")).all()
    assert len(cases) >= 12 and {c.risk_level for c in cases} == {"high", "medium", "low"}
    assert set(db.session.scalars(select(ChildConcern.concern))) == set(PROTECTION_CONCERNS)
    assert all(c.incidents == [] for c in cases)  # never in the GBVIMS tables
    steps = [s.step for s in db.session.scalars(select(TracingStep))]
    assert "reunification" in steps and "verification" in steps
    assert len(set(db.session.scalars(select(GraveViolation.violation)))) >= 3
    turning = [c.child_profile.turns_18_on for c in cases if c.child_profile.turns_18_on]
    assert any(0 <= (day - dt.date.today()).days <= 31 for day in turning)  # flagged on the home page
