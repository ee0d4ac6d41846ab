"""scoring.md, Provisional results, appeals and arbitration (公示 and 申诉); api.md POST /contests/{id}/appeals,
POST /appeals/{aid}/decide."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from tests.contest_fixtures import SMALL_FULL_MARKS, set_state, setup_contest
from tests.support import assert_error

# Both databases: transactions and constraints.
pytestmark = pytest.mark.backends

PARTIAL = {**SMALL_FULL_MARKS, "A1": 5}  # total 100 - 5 × 0.7 × 100/50 = 93.00


def provisional(client, admin, *, window: int = 120, marks=None):
    """A provisional contest with an appeal window: bib 1 full marks, bib 2 A1 = 5."""
    setup = setup_contest(client, admin, competitors=2, judges=3, start=True, appeal_window_minutes=window)
    setup.store("1", SMALL_FULL_MARKS)
    setup.store("2", marks or PARTIAL)
    setup.lock()
    response = setup.transition("provisional")
    assert response.status_code == 200, response.get_json()
    return setup


def file_appeal(setup, bib="2", aspects=("A1",), grounds="元器件布置评分有误"):
    return setup.client.post(f"{setup.url}/appeals", json={"competitor_id": setup.competitor_id(bib),
                                                           "aspect_codes": list(aspects), "grounds": grounds},
                             headers=setup.organizer.headers)


def decide(setup, appeal_id, decision, reason="经仲裁组复核"):
    body = {"decision": decision} if reason is None else {"decision": decision, "reason": reason}
    return setup.client.post(f"/api/v1/appeals/{appeal_id}/decide", json=body, headers=setup.organizer.headers)


def locks(setup):
    from competition.extensions import db
    from competition.models import ModuleLock

    with setup.app.app_context():
        return {lock.module_code: (lock.locked, lock.appeal_id)
                for lock in db.session.query(ModuleLock).filter_by(contest_id=setup.contest_id)}


def close_window(setup):
    set_state(setup.app, setup.contest_id, "provisional",
              provisional_at=datetime.now(timezone.utc) - timedelta(minutes=121))


def test_file_list_and_dismiss(client, admin):
    setup = provisional(client, admin)
    response = file_appeal(setup)
    assert response.status_code == 201, response.get_json()
    appeal = response.get_json()
    assert appeal["status"] == "open" and appeal["decision"] is None and appeal["aspect_codes"] == ["A1"]
    listed = client.get(f"{setup.url}/appeals", headers=setup.chief.headers)
    assert listed.status_code == 200 and [a["id"] for a in listed.get_json()] == [appeal["id"]]
    before = locks(setup)
    assert_error(decide(setup, appeal["id"], "dismissed", reason=None), 422, field="reason")
    response = decide(setup, appeal["id"], "dismissed")
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["decision"] == "dismissed"
    assert locks(setup) == before  # a dismissed appeal unlocks nothing
    assert all(locked for locked, _ in before.values())
    assert_error(decide(setup, appeal["id"], "upheld"), 409, reason="appeal_decided")  # decided once


def test_who_may_file_and_read(client, admin):
    setup = provisional(client, admin)
    assert_error(client.post(f"{setup.url}/appeals", json={"competitor_id": setup.competitor_id("1"),
                                                           "aspect_codes": ["A1"], "grounds": "x"},
                             headers=setup.chief.headers), 403)
    assert client.get(f"{setup.url}/appeals").status_code == 401


def test_unknown_competitor_or_aspect_is_422(client, admin):
    setup = provisional(client, admin)
    assert_error(file_appeal(setup, aspects=["Z9"]), 422, field="aspect_codes")
    response = client.post(f"{setup.url}/appeals", json={"competitor_id": 999999, "aspect_codes": ["A1"],
                                                          "grounds": "x"}, headers=setup.organizer.headers)
    assert_error(response, 422, field="competitor_id")


def test_appeal_outside_the_window_is_409(client, admin):
    setup = setup_contest(client, admin, competitors=1, judges=3, start=True, appeal_window_minutes=120)
    assert_error(file_appeal(setup, bib="1"), 409, reason="not_provisional")  # running: not provisional yet
    setup.store("1", SMALL_FULL_MARKS)
    setup.lock()
    assert setup.transition("provisional").status_code == 200
    close_window(setup)
    assert_error(file_appeal(setup, bib="1"), 409, reason="appeal_window_closed")


def test_undecided_appeal_blocks_final(client, admin):
    setup = provisional(client, admin)
    appeal = file_appeal(setup).get_json()
    close_window(setup)
    body = assert_error(setup.transition("final"), 409)
    assert [a["id"] for a in body["errors"]["open_appeals"]] == [appeal["id"]]
    assert decide(setup, appeal["id"], "dismissed").status_code == 200
    assert setup.transition("final").status_code == 200


def test_final_waits_for_the_window(client, admin):
    setup = provisional(client, admin)
    body = assert_error(setup.transition("final"), 409)
    assert "appeal_window_closes_at" in body["errors"]


def test_upheld_appeal_corrects_a_mark_and_everything_follows(client, admin):
    from tests.promotion_fixtures import POLICY, set_scheme

    setup = setup_contest(client, admin, competitors=2, judges=3, start=True, appeal_window_minutes=120,
                          promotion_policy=dict(POLICY, min_total="0"))
    for enterprise_id in setup.enterprises:
        set_scheme(client, admin, enterprise_id)
    setup.store("1", {**SMALL_FULL_MARKS, "A1": 8})  # 97.20
    setup.store("2", PARTIAL)  # 93.00
    setup.lock()
    assert setup.transition("provisional").status_code == 200
    board = setup.standings()
    assert board["state"] == "provisional"
    assert [r["competitor"]["bib"] for r in board["rows"]] == ["1", "2"]

    appeal = file_appeal(setup).get_json()
    response = decide(setup, appeal["id"], "upheld")
    assert response.status_code == 200, response.get_json()
    assert locks(setup)["A"] == (False, appeal["id"])
    assert locks(setup)["B"] == (True, None)
    # the chief judge corrects the mark in the reopened module; other modules stay closed
    put = client.put(f"{setup.url}/marks", json={"competitor_id": setup.competitor_id("2"), "aspect_code": "A1",
                                                 "value": "10"}, headers=setup.chief.headers)
    assert put.status_code == 200, put.get_json()
    blocked = client.put(f"{setup.url}/marks", json={"competitor_id": setup.competitor_id("2"),
                                                     "aspect_code": "B1", "value": "10"},
                         headers=setup.chief.headers)
    assert_error(blocked, 409)
    board = setup.standings()
    assert [(r["competitor"]["bib"], r["total"]) for r in board["rows"]] == [("2", "100.00"), ("1", "97.20")]
    body = assert_error(setup.transition("final"), 409)  # module A is open again (and the window)
    assert body["errors"]["unlocked_modules"] == ["A"]
    lock = client.post(f"{setup.url}/modules/A/lock", headers=setup.chief.headers)
    assert lock.status_code == 200, lock.get_json()
    close_window(setup)
    final = setup.transition("final")
    assert final.status_code == 200, final.get_json()
    promotions = client.get(f"{setup.url}/promotions", headers=setup.organizer.headers).get_json()
    ranks = {row["competitor_id"]: row["rank"] for row in promotions}
    assert ranks == {setup.competitor_id("2"): 1, setup.competitor_id("1"): 2}
    entries = client.get(f"/api/v1/audit?contest_id={setup.contest_id}", headers=admin.headers).get_json()
    marks = [e for e in entries if e["action"] == "mark.put"]
    assert marks and marks[-1]["after"]["appeal_id"] == appeal["id"] and marks[-1]["after"]["value"] == "10.00"
    actions = {e["action"] for e in entries}
    assert {"appeal.file", "appeal.decide", "module.unlock"} <= actions


def test_decide_unknown_appeal_is_404(client, admin):
    setup = provisional(client, admin)
    assert_error(decide(setup, 999999, "dismissed"), 404)


# --- the organiser's page ------------------------------------------------------------------------------

def test_appeals_page_for_organisers_only(client, admin, app):
    import re

    from tests.support import PASSWORD

    setup = provisional(client, admin)
    path = f"/contests/{setup.contest_id}/appeals"
    assert client.get(path).status_code == 302  # sign in first

    def signed_in(account):
        browser = app.test_client()
        html = browser.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
            r'value="([^"]+)"[^>]*name="csrf_token"', html)
        response = browser.post("/login", data={"username": account.username, "password": PASSWORD,
                                                "csrf_token": token.group(1)})
        assert response.status_code == 302, response.get_data(as_text=True)
        return browser

    assert signed_in(setup.chief).get(path).status_code == 403
    organiser = signed_in(setup.organizer)
    html = organiser.get(path).get_data(as_text=True)
    assert "申诉与仲裁" in html and "申诉受理截止" in html and 'id="appeal-form"' in html
    assert "js/appeals.js" in html
    assert not re.search(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", html)
    assert f'href="{path}"' in organiser.get("/contests").get_data(as_text=True)
    close_window(setup)
    html = organiser.get(path).get_data(as_text=True)
    assert 'id="appeal-form"' not in html and 'data-testid="window-closed"' in html


def test_provisional_results_are_marked_as_such(client, admin):
    setup = provisional(client, admin)
    assert setup.standings()["state"] == "provisional"
    csv = client.get(f"{setup.url}/results.csv", headers=setup.organizer.headers)
    assert csv.headers["X-Results-State"] == "provisional"
    assert "provisional" in csv.headers["Content-Disposition"]
    from io import BytesIO

    from openpyxl import load_workbook

    xlsx = client.get(f"{setup.url}/results.xlsx", headers=setup.organizer.headers)
    assert load_workbook(BytesIO(xlsx.get_data())).active.title == "公示成绩"
    assert client.get(f"{setup.url}/results.csv").status_code == 404  # the public waits for final
