"""api.md, GET /contests/{id}/standings; scoring.md worked examples 4 and 6, visibility and freeze."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from tests.contest_fixtures import SMALL_FULL_MARKS, WORLDSKILLS_SCHEME, setup_contest
from tests.support import assert_error

# Both databases: exact decimals stored and read back.
pytestmark = pytest.mark.backends

# scoring.md, worked example 4: theory weight 30 (max 100), practical weight 70 (max 50).
EXAMPLE_4_SCHEME = {"components": [
    {"code": "T", "name": "理论知识", "weight": "30", "modules": [
        {"code": "T1", "name": "理论", "aspects": [
            {"code": "T1.1", "name": "理论考试", "type": "measurement", "max_mark": "100"}]}]},
    {"code": "P", "name": "操作技能", "weight": "70", "modules": [
        {"code": "A", "name": "模块A", "aspects": [
            {"code": "A1", "name": "安装", "type": "measurement", "max_mark": "25"}]},
        {"code": "B", "name": "模块B", "aspects": [
            {"code": "B1", "name": "调试", "type": "measurement", "max_mark": "25"}]}]}]}


def row_of(board, bib):
    return next(r for r in board["rows"] if r["competitor"].get("bib") == bib)


def test_snapshot_shape(client, admin):
    setup = setup_contest(client, admin, competitors=2, judges=1, start=True)
    board = setup.standings()
    assert {"contest_id", "view", "seq", "state", "frozen", "rows"} <= set(board)
    assert (board["contest_id"], board["view"], board["state"], board["frozen"]) == \
        (setup.contest_id, "public", "running", False)
    row = board["rows"][0]
    assert {"rank", "competitor", "total", "components", "modules", "complete", "status"} <= set(row)
    assert {"id", "bib", "name", "enterprise"} <= set(row["competitor"])


def test_worked_example_4_two_weighted_components(client, admin):
    setup = setup_contest(client, admin, scheme=EXAMPLE_4_SCHEME, competitors=1, judges=1, start=True)
    setup.store("1", {"T1.1": "81.5", "A1": "20.25", "B1": 21})
    row = setup.standings()["rows"][0]
    assert row["total"] == "82.20"
    assert row["components"] == {"T": "81.50", "P": "41.25"}
    assert row["modules"] == {"T1": "81.50", "A": "20.25", "B": "21.00"}
    assert row["rank"] == 1 and row["complete"] is True


def test_worked_example_6_shared_ranks(client, admin):
    setup = setup_contest(client, admin, scheme=WORLDSKILLS_SCHEME, competitors=4, judges=1, start=True)
    for bib, total in (("1", 85), ("2", 90), ("3", 80), ("4", 85)):
        setup.store(bib, {"M1": total})
    for view, account in (("public", None), ("jury", setup.organizer)):
        rows = setup.standings(account, view)["rows"]
        assert [(r["competitor"]["bib"], r["total"], r["rank"]) for r in rows] == [
            ("2", "90.00", 1), ("1", "85.00", 2), ("4", "85.00", 2), ("3", "80.00", 4)]


def test_jury_view_access(client, admin, make_user, app):
    setup = setup_contest(client, admin, competitors=1, judges=2, start=True)
    url = f"{setup.url}/standings?view=jury"
    assert_error(client.get(url), 401)
    assert_error(client.get(url, headers=setup.judges[1].headers), 403)
    assert_error(client.get(url, headers=make_user("judge").headers), 403)
    from tests.contest_fixtures import make_enterprise

    assert_error(client.get(url, headers=make_user("hr", enterprise_id=make_enterprise(app)).headers), 403)
    for account in (setup.chief, setup.organizer, admin):
        response = client.get(url, headers=account.headers)
        assert response.status_code == 200 and response.get_json()["view"] == "jury"
    assert_error(client.get(f"{setup.url}/standings?view=secret"), 422, field="view")
    assert client.get(f"{setup.url}/standings?_=123").status_code == 200


def test_draft_standings_only_for_staff(client, admin):
    setup = setup_contest(client, admin, competitors=1, judges=1)
    assert_error(client.get(f"{setup.url}/standings"), 404)
    assert_error(client.get(f"{setup.url}/standings?view=jury", headers=setup.chief.headers), 404)
    assert client.get(f"{setup.url}/standings?view=jury", headers=setup.organizer.headers).status_code == 200


def test_blind_contest_chief_judge_sees_marking_numbers_only(client, admin):
    setup = setup_contest(client, admin, competitors=2, judges=3, start=True, blind=True)
    setup.store("1", SMALL_FULL_MARKS)
    rows = setup.standings(setup.chief, "jury")["rows"]
    assert [r["competitor"] for r in rows] == [{"id": setup.competitor_id("1"), "marking_no": "M01"},
                                               {"id": setup.competitor_id("2"), "marking_no": "M02"}]
    assert rows[0]["total"] == "100.00"
    organizer_rows = setup.standings(setup.organizer, "jury")["rows"]
    assert organizer_rows[0]["competitor"]["name"] == "张三"


def test_final_only_public_rows_have_no_scores_and_no_ranks(client, admin):
    setup = setup_contest(client, admin, scheme=WORLDSKILLS_SCHEME, competitors=3, judges=1, start=True,
                          visibility="final_only")
    for bib, total in (("1", 70), ("2", 95), ("3", 88)):
        setup.store(bib, {"M1": total})
    public = setup.standings()
    assert [r["competitor"]["bib"] for r in public["rows"]] == ["1", "2", "3"]  # by bib, not by score
    for row in public["rows"]:
        assert row["rank"] is None and row["total"] is None and row["components"] == {} and row["modules"] == {}
        assert row["complete"] is True  # progress is public
    jury = setup.standings(setup.organizer, "jury")
    assert [r["competitor"]["bib"] for r in jury["rows"]] == ["2", "3", "1"] and jury["rows"][0]["rank"] == 1
    setup.lock()
    assert setup.transition("final").status_code == 200
    final = setup.standings()
    assert [(r["competitor"]["bib"], r["rank"], r["total"]) for r in final["rows"]] == [
        ("2", 1, "95.00"), ("3", 2, "88.00"), ("1", 3, "70.00")]


def test_freeze_hides_later_changes_from_the_public_until_unfrozen(client, admin):
    setup = setup_contest(client, admin, scheme=WORLDSKILLS_SCHEME, competitors=2, judges=1, start=True)
    now = datetime.now(timezone.utc)
    setup.store("1", {"M1": 60}, at=now - timedelta(hours=2))
    setup.store("2", {"M1": 70}, at=now - timedelta(hours=2))
    freeze_at = now - timedelta(hours=1)
    response = client.patch(setup.url, json={"freeze_at": freeze_at.isoformat()}, headers=setup.organizer.headers)
    assert response.status_code == 200 and response.get_json()["frozen"] is True
    setup.store("1", {"M1": 95})  # after the freeze
    public = setup.standings()
    assert public["frozen"] is True
    assert [(r["competitor"]["bib"], r["total"], r["rank"]) for r in public["rows"]] == [
        ("2", "70.00", 1), ("1", "60.00", 2)]
    jury = setup.standings(setup.organizer, "jury")
    assert jury["frozen"] is True  # the contest is frozen; the jury view is not
    assert [(r["competitor"]["bib"], r["total"], r["rank"]) for r in jury["rows"]] == [
        ("1", "95.00", 1), ("2", "70.00", 2)]
    response = client.post(f"{setup.url}/unfreeze", headers=setup.organizer.headers)
    assert response.status_code == 200
    public = setup.standings()
    assert public["frozen"] is False
    assert [(r["competitor"]["bib"], r["total"]) for r in public["rows"]] == [("1", "95.00"), ("2", "70.00")]


def test_a_status_change_during_the_freeze_reaches_the_public_ranking(client, admin):
    """scoring.md: non-active competitors are listed after the ranked ones without a rank; a status is
    not a score, so the frozen public view follows it (keeping its freeze-time figures)."""
    setup = setup_contest(client, admin, scheme=WORLDSKILLS_SCHEME, competitors=3, judges=1, start=True)
    now = datetime.now(timezone.utc)
    for bib, value in (("1", 90), ("2", 80), ("3", 70)):
        setup.store(bib, {"M1": value}, at=now - timedelta(hours=2))
    client.patch(setup.url, json={"freeze_at": (now - timedelta(hours=1)).isoformat()},
                 headers=setup.organizer.headers)
    setup.store("2", {"M1": 99})  # after the freeze: hidden from the public
    url = f"{setup.url}/competitors/{setup.competitor_id(1)}"
    response = client.patch(url, json={"status": "disqualified", "reason": "违规操作"}, headers=setup.chief.headers)
    assert response.status_code == 200, response.get_json()
    public = [(r["competitor"]["bib"], r["rank"], r["total"], r["status"]) for r in setup.standings()["rows"]]
    assert public == [("2", 1, "80.00", "active"), ("3", 2, "70.00", "active"),
                      ("1", None, "90.00", "disqualified")]
    jury = [(r["competitor"]["bib"], r["rank"], r["total"]) for r in setup.standings(setup.organizer, "jury")["rows"]]
    assert jury == [("2", 1, "99.00"), ("3", 2, "70.00"), ("1", None, "90.00")]
    response = client.patch(url, json={"status": "active", "reason": "复核撤销"}, headers=setup.chief.headers)
    assert response.status_code == 200, response.get_json()
    public = [(r["competitor"]["bib"], r["rank"], r["total"]) for r in setup.standings()["rows"]]
    assert public == [("1", 1, "90.00"), ("2", 2, "80.00"), ("3", 3, "70.00")]


def test_moving_the_freeze_rebuilds_the_public_view(client, admin):
    setup = setup_contest(client, admin, scheme=WORLDSKILLS_SCHEME, competitors=1, judges=1, start=True)
    now = datetime.now(timezone.utc)
    setup.store("1", {"M1": 40}, at=now - timedelta(hours=3))
    setup.store("1", {"M1": 50}, at=now - timedelta(hours=1))
    client.patch(setup.url, json={"freeze_at": (now - timedelta(hours=2)).isoformat()},
                 headers=setup.organizer.headers)
    assert setup.standings()["rows"][0]["total"] == "40.00"
    client.patch(setup.url, json={"freeze_at": (now - timedelta(minutes=30)).isoformat()},
                 headers=setup.organizer.headers)
    assert setup.standings()["rows"][0]["total"] == "50.00"
    client.patch(setup.url, json={"freeze_at": None}, headers=setup.organizer.headers)
    assert setup.standings()["frozen"] is False


def test_final_unfreezes_the_public_view(client, admin):
    setup = setup_contest(client, admin, scheme=WORLDSKILLS_SCHEME, competitors=1, judges=1, start=True)
    now = datetime.now(timezone.utc)
    setup.store("1", {"M1": 40}, at=now - timedelta(hours=2))
    client.patch(setup.url, json={"freeze_at": (now - timedelta(hours=1)).isoformat()},
                 headers=setup.organizer.headers)
    setup.store("1", {"M1": 90})
    assert setup.standings()["rows"][0]["total"] == "40.00"
    setup.lock()
    assert setup.transition("final").status_code == 200
    board = setup.standings()
    assert board["frozen"] is False and board["state"] == "final" and board["rows"][0]["total"] == "90.00"
    # reopening does not hide the published final results again
    assert setup.transition("running_again", reason="更正").status_code == 200
    assert setup.standings()["rows"][0]["total"] == "90.00"


def test_status_change_moves_a_competitor_below_the_ranked(client, admin):
    setup = setup_contest(client, admin, scheme=WORLDSKILLS_SCHEME, competitors=3, judges=1, start=True)
    for bib, total in (("1", 90), ("2", 80), ("3", 70)):
        setup.store(bib, {"M1": total})
    response = client.patch(f"{setup.url}/competitors/{setup.competitor_id('1')}",
                            json={"status": "disqualified", "reason": "违规操作"}, headers=setup.chief.headers)
    assert response.status_code == 200
    rows = setup.standings()["rows"]
    assert [(r["competitor"]["bib"], r["rank"], r["status"]) for r in rows] == [
        ("2", 1, "active"), ("3", 2, "active"), ("1", None, "disqualified")]


def test_tie_breakers_apply(client, admin):
    setup = setup_contest(client, admin, competitors=2, judges=3, tie_breakers=[{"time_used": "asc"}])
    assert setup.transition("running").status_code == 200
    for bib in ("1", "2"):
        setup.store(bib, SMALL_FULL_MARKS)
    for bib, seconds in (("1", 5000), ("2", 4000)):
        client.patch(f"{setup.url}/competitors/{setup.competitor_id(bib)}", json={"time_used_seconds": seconds},
                     headers=setup.organizer.headers)
    rows = setup.standings()["rows"]
    assert [(r["competitor"]["bib"], r["rank"]) for r in rows] == [("2", 1), ("1", 2)]


def test_team_rows_show_members(client, admin):
    setup = setup_contest(client, admin, competitors=1, judges=0, start=True, team_size=2)
    competitor = setup.standings()["rows"][0]["competitor"]
    assert competitor["name"] == "代表队1" and [m["name"] for m in competitor["members"]] == ["张三", "李四"]


def test_a_change_writes_both_rows_and_recreates_missing_ones_jury_first(client, admin):
    """standings.recompute_competitor: unfrozen, one UPDATE brings the jury and the public row to the
    same figures; rows not there yet are inserted, the jury row first (boards.publish reads in id order)."""
    from sqlalchemy import delete, select

    from competition.extensions import db
    from competition.models import Standing

    setup = setup_contest(client, admin, scheme=WORLDSKILLS_SCHEME, competitors=2, judges=1, start=True)
    first, second = setup.competitor_id("1"), setup.competitor_id("2")

    def rows(competitor_id):
        with setup.app.app_context():
            return [(s.id, s.view, s.total) for s in db.session.scalars(
                select(Standing).where(Standing.competitor_id == competitor_id).order_by(Standing.id))]

    with setup.app.app_context():
        db.session.execute(delete(Standing).where(Standing.competitor_id == second))
        db.session.commit()
    setup.store("1", {"M1": 60})
    setup.store("2", {"M1": 70})
    assert [(view, total) for _, view, total in rows(first)] == [("jury", 60), ("public", 60)]
    assert [(view, total) for _, view, total in rows(second)] == [("jury", 70), ("public", 70)]
    assert [r["total"] for r in setup.standings()["rows"]] == ["70.00", "60.00"]
