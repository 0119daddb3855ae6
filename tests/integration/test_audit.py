"""The audit log: written with the action, never holding identifying values, and
tamper-evident (`flask audit verify` names the first broken entry)."""

from __future__ import annotations

from sqlalchemy import select, text, update

from app import audit
from models import AuditEvent, AuditHead, db
from models.keys import keyring

from ..conftest import PASSWORD, post_form, sign_in


def some_events(client, factory, n: int = 3) -> None:
    factory.user("awa")
    for _ in range(n):
        sign_in(client, "awa", "wrong password!")
    sign_in(client, "awa")


def verify(app):
    with app.app_context():
        return audit.verify(db.session, keyring().audit_key)


def test_sign_ins_failures_and_pauses_are_logged(app, client, factory) -> None:
    factory.user("awa")
    sign_in(client, "nobody", "guess")
    for _ in range(5):
        sign_in(client, "awa", "wrong password!")
    with app.app_context():
        events = db.session.scalars(select(AuditEvent).order_by(AuditEvent.seq)).all()
        rows = [(e.action, e.outcome, e.actor_name) for e in events]
    assert rows[0] == ("auth.login", "failure", None)  # unknown username: not even the name is kept
    assert rows.count(("auth.login", "failure", "awa")) == 5
    assert ("auth.paused", "denied", "awa") in rows  # sign-in paused from this source


def test_audit_rows_never_hold_what_was_typed(app, client, factory) -> None:
    factory.user("awa")
    sign_in(client, "awa", "hunter2-secret-typo")
    sign_in(client, "my-password-in-the-username-box", PASSWORD)
    with app.app_context():
        dump = repr(db.session.execute(text("SELECT * FROM audit_events")).all())
    assert "hunter2" not in dump and "my-password-in-the-username-box" not in dump and PASSWORD not in dump


def test_event_and_action_share_one_transaction(app, factory) -> None:
    with app.test_request_context():
        audit.record("test.rolled_back")
        db.session.rollback()
        assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "test.rolled_back")) is None
        assert db.session.get(AuditHead, 1).last_seq == 0


def test_intact_chain_verifies(app, client, factory) -> None:
    some_events(client, factory)
    result = verify(app)
    assert result.ok and result.checked == 4


def test_edited_row_is_named(app, client, factory) -> None:
    some_events(client, factory)
    with app.app_context():
        db.session.execute(update(AuditEvent).where(AuditEvent.seq == 3).values(outcome="success"))
        db.session.commit()
    result = verify(app)
    assert result.broken_seq == 3 and "altered" in result.reason
    cli = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert cli.exit_code == 1 and "entry 3" in cli.output


def test_deleted_row_is_named(app, client, factory) -> None:
    some_events(client, factory)
    with app.app_context():
        db.session.execute(text("DELETE FROM audit_events WHERE seq = 2"))
        db.session.commit()
    assert verify(app).broken_seq == 2


def test_deleted_tail_is_noticed(app, client, factory) -> None:
    some_events(client, factory)
    with app.app_context():
        db.session.execute(text("DELETE FROM audit_events WHERE seq = 4"))
        db.session.commit()
    assert verify(app).broken_seq == 4


def test_reordered_rows_are_noticed(app, client, factory) -> None:
    some_events(client, factory)
    with app.app_context():
        first, second = db.session.scalars(
            select(AuditEvent).where(AuditEvent.seq.in_([2, 3])).order_by(AuditEvent.seq)
        )
        first_at, second_at = first.at, second.at
        first.at, second.at = second_at, first_at  # swap their times: the order in time changes
        first.target_id, second.target_id = second.target_id, first.target_id
        db.session.commit()
    assert not verify(app).ok


def test_chain_cannot_be_recomputed_without_the_audit_key(app, client, factory) -> None:
    some_events(client, factory)
    with app.app_context():
        # An attacker who edits a row and recomputes its hash with a key of their own...
        event = db.session.get(AuditEvent, 2)
        event.outcome = "success"
        previous = db.session.get(AuditEvent, 1).chain_hash
        event.chain_hash = audit.chain_hash(b"\x00" * 32, previous, event)
        db.session.commit()
    assert verify(app).broken_seq == 2


def test_admin_browses_filters_and_verifies(signed_in, client, factory) -> None:
    client = signed_in("admin", "chief")
    page = client.get("/admin/audit?outcome=success&action=auth.")
    assert page.status_code == 200 and "auth.login" in page.get_data(as_text=True)
    assert client.get("/admin/audit?since=not-a-date").status_code == 422
    result = post_form(client, "/admin/audit", {}, action="/admin/audit/verify")
    assert result.status_code == 302
    assert "intacte" in client.get("/admin/audit").get_data(as_text=True)
