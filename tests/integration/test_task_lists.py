"""Home pages that are task lists, the supervisor's reassignment, and a case list a caseworker
can sort and filter (with names hidden in a shared office)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from gbvims.consent import rule_for_age
from models import ActionPlan, AuditEvent, Case, User, db

from ..conftest import client_of, post_form
from ..conftest import text as page_text
from .cases_helpers import add_incident, case_payload, cp_case_payload, incident_payload, make_case


def _set(app, case_id: str, **values) -> None:
    with app.app_context():
        case = db.session.get(Case, case_id)
        for name, value in values.items():
            setattr(case, name, value)
        db.session.commit()


def test_the_caseworkers_home_lists_what_is_urgent_today(app, factory) -> None:
    factory.user("awa")
    raped = make_case(app, "awa", case_payload(given_name="Kadidia"))
    add_incident(app, "awa", raped, incident_payload(days_ago=1))
    late = make_case(app, "awa", case_payload(given_name="Hawa"))
    _set(app, late, next_follow_up=dt.date.today() - dt.timedelta(days=2))
    today = make_case(app, "awa", case_payload(given_name="Oumou"))
    _set(app, today, next_follow_up=dt.date.today())
    risky = make_case(app, "awa", case_payload(given_name="Rokia"))
    _set(app, risky, risk_level="high")
    returned = make_case(app, "awa", case_payload(given_name="Bintou"))
    with app.app_context():
        db.session.add(
            ActionPlan(
                case_id=returned,
                version=1,
                status="rejected",
                created_by_id=db.session.scalar(select(User.id).where(User.username == "awa")),
            )
        )
        db.session.commit()
    make_case(app, "awa", cp_case_payload(given_name="Moussa"))
    awa = client_of(app, "awa")
    home = page_text(awa.get("/"))
    urgent = home[home.index('id="care-h"') :]
    assert "Kadidia" in urgent.split("</section>")[0] and "PPE" in urgent.split("</section>")[0]
    assert home.index('id="care-h"') < home.index('id="cp-clocks-h"') < home.index('id="follow-ups-h"')
    follow_ups = home[home.index('id="follow-ups-h"') :].split("</section>")[0]
    assert "Hawa" in follow_ups and "Oumou" in follow_ups
    assert "Bintou" in home[home.index('id="sent-back-h"') :].split("</section>")[0]
    assert "Rokia" in home[home.index('id="no-safety-plan-h"') :].split("</section>")[0]
    with app.app_context():
        shown = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "case.list_viewed")).all()[-1]
        assert {raped, late, today, risky, returned} <= set(shown.details["cases"])
    # A shared office: names hidden in every list, codes kept.
    post_form(awa, "/cases", {}, action="/cases/names")
    home = page_text(awa.get("/"))
    assert "Kadidia" not in home and "Hawa" not in home
    with app.app_context():
        code = db.session.get(Case, late).case_code
    assert code in home and "Hawa" not in page_text(awa.get("/cases"))


def test_the_supervisor_sees_approvals_late_work_and_reassigns_with_a_reason(app, factory) -> None:
    factory.user("awa")
    factory.user("binta")
    factory.user("fatou", role="supervisor")
    factory.user("ousmane", agency="DJIGUIYA")
    orphan = make_case(app, "awa", case_payload(given_name="Assétou"))
    late = make_case(app, "binta", case_payload(given_name="Fanta"))
    _set(app, late, next_follow_up=dt.date.today() - dt.timedelta(days=5))
    with app.app_context():
        db.session.scalars(select(User).where(User.username == "awa")).one().active = False
        db.session.commit()
        ids = dict(db.session.execute(select(User.username, User.id)).all())
    fatou = client_of(app, "fatou")
    home = page_text(fatou.get("/"))
    assert "Assétou" in home[home.index('id="unassigned-h"') :].split("</section>")[0]
    workload = home[home.index('id="workload-h"') :].split("</section>")[0]
    assert "binta" in workload and "<td>1</td>" in workload
    page = f"/cases/{orphan}/reassign"
    assert fatou.get(page).status_code == 200
    assert post_form(fatou, page, {"owner_id": ids["binta"]}).status_code == 422  # a reason is asked
    assert post_form(fatou, page, {"owner_id": ids["ousmane"], "reason": "left"}).status_code == 422
    done = post_form(fatou, page, {"owner_id": ids["binta"], "reason": "left"})
    assert done.status_code == 302
    with app.app_context():
        assert db.session.get(Case, orphan).owner_id == ids["binta"]
        event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "case.reassigned")).one()
        assert event.details == {"from": ids["awa"], "to": ids["binta"], "reason": "left"}
    binta = client_of(app, "binta")
    assert binta.get(f"/cases/{orphan}").status_code == 200
    assert binta.get(page).status_code == 403  # caseworkers do not reassign


def test_a_long_case_list_sorts_and_filters_as_a_caseworker_asks(app, factory) -> None:
    factory.user("awa")
    made = []
    for n in range(120):
        payload = case_payload(given_name=f"Personne{n}", age=9 + n % 40, sex="male" if n % 5 == 0 else "female")
        rule = rule_for_age(payload["survivor"]["age"])
        payload["consent"].update(given_by=sorted(rule.consent_from)[0], assent=rule.assent)
        made.append(make_case(app, "awa", payload))
    _set(app, made[7], risk_level="high")
    _set(app, made[3], risk_level="medium", stage="follow_up")
    awa = client_of(app, "awa")
    by_risk = page_text(awa.get("/cases?sort=risk"))
    assert by_risk.index("— Personne7 ") < by_risk.index("— Personne3 ") < by_risk.index("— Personne119 ")
    assert "120 dossiers" in by_risk and "aria-label" in by_risk
    stage = page_text(awa.get("/cases?stage=follow_up"))
    assert "— Personne3 " in stage and "1 dossier" in stage
    children = page_text(awa.get("/cases?age_band=0-11&sex=female"))
    expected = sum(1 for n in range(120) if 9 + n % 40 <= 11 and n % 5 != 0)
    assert f"{expected} dossiers" in children
    assert page_text(awa.get("/cases?sort=nonsense&age_band=7")).count("Personne") >= 25  # ignored, not a 500
    today = dt.date.today().isoformat()
    assert "120 dossiers" in page_text(awa.get(f"/cases?since={today}&until={today}"))
    assert "0 dossier" in page_text(awa.get("/cases?until=2001-01-01"))
