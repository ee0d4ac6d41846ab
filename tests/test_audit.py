"""api.md, Audit: append-only, hash-chained, written with the change, verified by API and command."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.live_server import logging_kept
from tests.support import assert_error

# Both databases: the audit chain's locking and transactions.
pytestmark = pytest.mark.backends


def run_command(database_url: str, *args: str):
    """`competition ARGS` in this process, through click's test runner."""
    from click.testing import CliRunner

    from competition.cli import main

    with logging_kept():
        env = {"COMPETITION_DATABASE_URL": database_url, "COMPETITION_SECRET_KEY": "cli-test-secret"}
        return CliRunner().invoke(main, list(args), env=env)


def create_users(client, admin, n=3):
    for i in range(n):
        body = {"username": f"user{i}", "password": "s3cret-pass", "role": "judge"}
        assert client.post("/api/v1/users", json=body, headers=admin.headers).status_code == 201


def test_entries_are_chained_and_readable(client, admin, make_user):
    create_users(client, admin)
    organizer = make_user("organizer")
    entries = client.get("/api/v1/audit", headers=organizer.headers).get_json()
    assert [e["seq"] for e in entries] == list(range(1, len(entries) + 1))
    assert entries[-1]["action"] == "user.create" and entries[-1]["actor"] == "system"
    created_by_api = [e for e in entries if e["after"]["username"].startswith("user")]
    assert {e["actor"] for e in created_by_api} == {admin.username}
    for earlier, later in zip(entries, entries[1:]):
        assert later["prev_hash"] == earlier["hash"]
    assert client.get("/api/v1/audit/verify", headers=organizer.headers).get_json() == {
        "ok": True, "entries": len(entries)}


def test_each_committed_entry_is_one_json_log_line(client, admin, caplog):
    """operations.md: one JSON line per audit entry, written once the change is committed."""
    import json
    import logging

    with caplog.at_level(logging.INFO, logger="competition.audit"):
        create_users(client, admin, n=2)
        body = {"username": "user0", "password": "s3cret-pass", "role": "judge"}
        assert client.post("/api/v1/users", json=body, headers=admin.headers).status_code == 409  # no entry
    lines = [record.getMessage() for record in caplog.records if record.name == "competition.audit"]
    assert all("\n" not in line for line in lines)
    logged = [json.loads(line)["audit"] for line in lines]
    assert [(e["action"], e["after"]["username"]) for e in logged] == [("user.create", "user0"),
                                                                        ("user.create", "user1")]
    stored = client.get("/api/v1/audit", headers=admin.headers).get_json()[-2:]
    assert [(e["seq"], e["hash"]) for e in logged] == [(e["seq"], e["hash"]) for e in stored]


def test_audit_is_for_admin_and_organizer_only(client, make_user):
    judge = make_user("judge")
    assert_error(client.get("/api/v1/audit", headers=judge.headers), 403)
    assert_error(client.get("/api/v1/audit/verify"), 401)


def test_failed_change_writes_no_entry(client, admin):
    before = client.get("/api/v1/audit", headers=admin.headers).get_json()
    client.post("/api/v1/users", json={"username": admin.username, "password": "s3cret-pass", "role": "judge"},
                headers=admin.headers)
    assert client.get("/api/v1/audit", headers=admin.headers).get_json() == before


def test_orm_refuses_to_edit_an_entry(app, client, admin):
    from competition.extensions import db
    from competition.models import AuditEntry

    with app.app_context():
        entry = db.session.get(AuditEntry, 1)
        entry.action = "forged"
        with pytest.raises(RuntimeError, match="append-only"):
            db.session.flush()
        db.session.rollback()


@pytest.mark.parametrize("tamper, bad_seq", [
    ("UPDATE audit_entries SET after = '{\"username\": \"mallory\"}' WHERE seq = 3", 3),
    ("UPDATE audit_entries SET actor = 'someone' WHERE seq = 2", 2),
    ("DELETE FROM audit_entries WHERE seq = 2", 2),
    ("DELETE FROM audit_entries WHERE seq = 4", 4),
])
def test_tampering_is_detected_by_endpoint_and_command(app, client, admin, database_url, tamper, bad_seq):
    create_users(client, admin, n=3)  # entries 1 (admin) .. 4
    from competition.extensions import db

    with app.app_context():
        db.session.execute(sa.text(tamper))
        db.session.commit()
    body = client.get("/api/v1/audit/verify", headers=admin.headers).get_json()
    assert body["ok"] is False and body["first_bad_seq"] == bad_seq

    result = run_command(database_url, "audit", "verify")
    assert result.exit_code == 1, result.output
    assert f"seq {bad_seq}" in result.stderr


def test_command_says_ok_on_an_intact_chain(client, admin, database_url, tmp_path):
    """The console script itself (`competition`, as installed), in a process of its own; the other
    tests run commands in-process through click's runner (tests/live_server.py, LiveServer.command)."""
    create_users(client, admin, n=2)
    env = {**os.environ, "COMPETITION_DATABASE_URL": database_url,
           "COMPETITION_INSTANCE_PATH": str(tmp_path / "instance")}
    script = Path(sys.executable).with_name("competition")
    result = subprocess.run([str(script), "audit", "verify"], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "audit chain ok: 3 entries" in result.stdout


def test_entries_queued_in_a_rolled_back_savepoint_are_dropped(app, admin):
    """A savepoint that rolls back takes its audit entries with it; the rest of the transaction's stay."""
    from competition.extensions import db
    from competition.models import AuditEntry
    from competition.services import audit

    with app.app_context():
        before = db.session.query(AuditEntry).count()
        audit.record("test.kept", "thing:1")
        savepoint = db.session.begin_nested()
        audit.record("test.dropped", "thing:2")
        savepoint.rollback()
        with db.session.begin_nested():
            audit.record("test.kept_too", "thing:3")
        db.session.commit()
        actions = [e.action for e in db.session.query(AuditEntry).order_by(AuditEntry.seq)][before:]
        assert actions == ["test.kept", "test.kept_too"]
        assert audit.verify(db.session).ok
