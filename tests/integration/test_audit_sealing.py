"""Audited reads do not queue on the chain's head row: a request writes its events to
``audit_pending`` with its action (one insert, no lock); once its response has gone they are
sealed into the chain, in commit order. The chain stays whole, nothing is lost when sealers
cross, and a case's history shows a correction whose seal is still a moment away."""

from __future__ import annotations

import threading

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select, update

from app import audit
from models import AuditEvent, AuditHead, AuditPending, db
from models.keys import keyring

from ..conftest import api_token, captured_sql, client_of
from .cases_helpers import make_case


def counts(app) -> tuple[int, int]:
    """(sealed, pending) audit events."""
    with app.app_context():
        sealed = db.session.scalar(select(func.count()).select_from(AuditEvent)) or 0
        return sealed, db.session.scalar(select(func.count()).select_from(AuditPending)) or 0


def chain_intact(app) -> int:
    with app.app_context():
        result = audit.verify(db.session, keyring().audit_key)
        assert result.ok, result.reason
        return result.checked


def test_an_audited_read_writes_one_row_and_never_touches_the_head(app, factory) -> None:
    factory.user("awa")
    case_id = make_case(app, "awa")
    client = client_of(app, "awa")
    before = counts(app)
    with captured_sql(app) as statements:
        response = client.get(f"/cases/{case_id}", buffered=False)  # not yet closed: not yet sent
    assert response.status_code == 200
    writes = [s for s in statements if s.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]
    assert [s.split("(")[0].strip() for s in writes if "audit" in s] == ["INSERT INTO audit_pending"]
    assert not [s for s in statements if "audit_head" in s]  # the history is read, the head not touched
    assert counts(app) == (before[0], before[1] + 1)

    response.close()  # the server has sent the page: the worker seals what the request recorded
    sealed, pending = counts(app)
    assert (sealed, pending) == (before[0] + 1, 0)
    with app.app_context():
        newest = db.session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
        assert (newest.action, newest.target_id, newest.actor_name) == ("case.viewed", case_id, "awa")
        assert db.session.get(AuditHead, 1).last_seq == newest.seq
    assert chain_intact(app) == sealed


def test_a_refused_action_leaves_no_pending_event(app, factory) -> None:
    with app.test_request_context():
        audit.record("test.rolled_back")
        db.session.flush()
        db.session.rollback()
    assert counts(app) == (0, 0)


def test_a_correction_is_in_the_history_before_its_seal(app, factory) -> None:
    factory.user("awa")
    case_id = make_case(app, "awa")
    with app.app_context():
        audit.record("case.note_added", target_type="case", target_id=case_id, actor_name="awa")
        db.session.flush()
        history = audit.case_history(case_id, ("case.created", "case.note_added"), 10)
        db.session.rollback()
    assert [row.action for row in history] == ["case.note_added", "case.created"]
    assert history[0].seq is None and history[1].seq is not None  # waiting, then sealed


def test_many_waiting_events_are_sealed_in_batches_in_commit_order(app, factory) -> None:
    total = audit.SEAL_BATCH * 2 + 37
    with app.app_context():
        db.session.add_all(AuditPending(action="test.read", outcome="success", details={"n": n}) for n in range(total))
        db.session.commit()  # bulk rows, as a burst of requests would leave them
        assert audit.seal(wait=True) == total
    assert counts(app) == (total, 0)

    with app.app_context():
        numbered = [e.details["n"] for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.seq))]
    assert numbered == list(range(total))
    assert chain_intact(app) == total


def test_the_audit_log_page_and_verification_seal_what_is_waiting(app, factory) -> None:
    with app.app_context():
        db.session.execute(AuditPending.__table__.insert().values(action="test.stray", outcome="success"))
        db.session.execute(AuditPending.__table__.insert().values(action="test.stray", outcome="success"))
        db.session.commit()  # written without record(): nothing asked for a seal
    assert counts(app) == (0, 2)
    factory.user("admin", role="admin", agency=None)
    page = client_of(app, "admin").get("/admin/audit")
    assert page.status_code == 200 and "test.stray" in page.get_data(as_text=True)
    assert counts(app)[1] == 0
    assert chain_intact(app) >= 2


def test_the_seal_command_chains_what_was_left(app, factory) -> None:
    with app.app_context():
        db.session.execute(AuditPending.__table__.insert().values(action="test.stray", outcome="success"))
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["audit", "seal"])
    assert result.exit_code == 0 and "sealed 1 audit events" in result.output
    assert counts(app) == (1, 0) and chain_intact(app) == 1


def test_editing_a_pending_row_before_its_seal_is_sealed_as_edited_and_the_chain_holds(app, factory) -> None:
    """What the chain protects starts at the seal: an edit in the milliseconds before it cannot
    break the chain (documented in docs/THREAT_MODEL.md); one after it is named by verify."""
    with app.app_context():
        db.session.execute(AuditPending.__table__.insert().values(action="case.viewed", outcome="success"))
        db.session.execute(update(AuditPending).values(outcome="failure"))
        db.session.commit()
        audit.seal(wait=True)
        db.session.execute(update(AuditEvent).values(outcome="success"))
        db.session.commit()
        result = audit.verify(db.session, keyring().audit_key)
    assert not result.ok and result.broken_seq == 1


def _hold_the_head(app, released: threading.Event, holding: threading.Event) -> None:
    """A sealer that takes its time: the head row stays locked until ``released``."""
    with app.app_context(), db.engine.connect() as conn, conn.begin():
        conn.execute(select(AuditHead).where(AuditHead.id == 1).with_for_update())
        holding.set()
        released.wait(30)


def test_readers_do_not_wait_for_a_sealer_holding_the_head(app, factory) -> None:
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("row locks are PostgreSQL's; SQLite serialises every writer")
    factory.user("awa")
    case_ids = [make_case(app, "awa") for _ in range(3)]
    client = client_of(app, "awa")
    headers = api_token(client, "awa")
    sealed_before = counts(app)[0]

    released, holding = threading.Event(), threading.Event()
    sealer = threading.Thread(target=_hold_the_head, args=(app, released, holding))
    sealer.start()
    assert holding.wait(10)
    answers: list[int] = []

    def read_all(reader: FlaskClient) -> None:
        for case_id in case_ids:
            answers.append(reader.get(f"/cases/{case_id}").status_code)
            answers.append(reader.get(f"/api/v1/cases/{case_id}", headers=headers).status_code)

    reads = threading.Thread(target=read_all, args=(client,))
    try:
        reads.start()
        reads.join(20)
        finished = not reads.is_alive()
    finally:
        released.set()
        sealer.join(10)
        reads.join(20)
    assert finished, "a reader queued behind the head row"
    assert answers == [200] * 6
    sealed, pending = counts(app)
    assert sealed == sealed_before and pending >= 6  # the busy head: every reader gave way

    client.get("/account")  # the next request that seals takes them all, in commit order
    with app.app_context():
        audit.seal(wait=True)
    sealed, pending = counts(app)
    assert pending == 0 and sealed >= sealed_before + 6
    assert chain_intact(app) == sealed


def test_concurrent_readers_leave_one_whole_chain(app, factory) -> None:
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("concurrent writers are PostgreSQL's; SQLite serialises every writer")
    readers = 6
    for n in range(readers):
        factory.user(f"cw{n}")
    case_ids = [make_case(app, f"cw{n}") for n in range(readers)]
    clients = [client_of(app, f"cw{n}") for n in range(readers)]
    before = sum(counts(app))
    failures: list[int] = []

    def read(n: int) -> None:
        for _ in range(10):
            status = clients[n].get(f"/cases/{case_ids[n]}").status_code
            if status != 200:
                failures.append(status)

    threads = [threading.Thread(target=read, args=(n,)) for n in range(readers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not failures
    with app.app_context():
        audit.seal(wait=True)
    sealed, pending = counts(app)
    assert pending == 0 and sealed == before + readers * 10
    assert chain_intact(app) == sealed


def test_under_load_one_seal_takes_the_events_of_many_responses(app, factory, monkeypatch) -> None:
    factory.user("awa")
    case_id = make_case(app, "awa")
    client = client_of(app, "awa")
    sealer = audit._Sealer(app, delay=60)  # fired by the test below, not by the clock
    monkeypatch.setitem(app.extensions, "sutura.audit_sealer", sealer)
    before = counts(app)
    with captured_sql(app) as statements:
        for _ in range(3):
            assert client.get(f"/cases/{case_id}").status_code == 200  # sent and closed
    assert not [s for s in statements if "audit_head" in s or s.lstrip().startswith("INSERT INTO audit_events")]
    assert counts(app) == (before[0], before[1] + 3)
    timer = sealer.waiting
    assert timer is not None  # one timer for the three responses
    timer.cancel()

    with captured_sql(app) as statements:
        sealer.run()  # what the timer does when it fires
    assert len([s for s in statements if s.lstrip().upper().startswith("INSERT INTO AUDIT_EVENTS")]) == 1
    assert counts(app) == (before[0] + 3, 0)
    assert sealer.waiting is None
    assert chain_intact(app) == before[0] + 3


def test_the_timer_seals_on_its_own_and_the_next_response_starts_another(app, factory, monkeypatch) -> None:
    factory.user("awa")
    case_id = make_case(app, "awa")
    client = client_of(app, "awa")
    sealer = audit._Sealer(app, delay=0.05)
    monkeypatch.setitem(app.extensions, "sutura.audit_sealer", sealer)
    sealed_before = counts(app)[0]
    for round_ in (1, 2):
        client.get(f"/cases/{case_id}")
        timer = sealer.waiting
        assert timer is not None
        timer.join(timeout=10)  # the worker's own thread, with its own app context and session
        assert counts(app) == (sealed_before + round_, 0)
    assert chain_intact(app) == sealed_before + 2


@pytest.mark.parametrize("delay", [-1, 6])
def test_a_seal_delay_out_of_bounds_refuses_to_start(delay) -> None:
    from config import ConfigurationError

    from ..conftest import make_app

    with pytest.raises(ConfigurationError, match="SUTURA_AUDIT_SEAL_DELAY"):
        make_app("sqlite://", AUDIT_SEAL_DELAY=delay)
