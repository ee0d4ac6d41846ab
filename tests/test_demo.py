"""The demo contest that `make run` loads: realistic, consistent, and movable by --simulate."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select


@pytest.fixture
def demo(app):
    from competition import demo as demo_data
    from competition.extensions import db

    with app.app_context():
        made = demo_data.load()
        db.session.commit()
    return made


@pytest.mark.backends
def test_demo_contest_is_realistic_and_consistent(app, client, demo):
    from competition.extensions import db
    from competition.models import Competitor, Contest, ContestJudge, Enterprise, Mark, Person
    from competition.services import standings

    assert {a.role for a in demo} == {"admin", "organizer", "hr", "judge"}
    with app.app_context():
        contest = db.session.scalar(select(Contest))
        contest_id = contest.id
        assert contest.is_demo and contest.state.value == "running" and "示例" in contest.name
        assert contest.occupation.code == "6-31-01-03" and contest.promotion_policy["bands"]
        assert db.session.scalar(select(func.count()).select_from(Competitor)
                                 .where(Competitor.contest_id == contest_id)) == 24
        assert db.session.scalar(select(func.count()).select_from(Enterprise)) == 3
        kinds = set(db.session.scalars(select(Person.kind)))
        assert kinds == {"employee", "student"}
        types = {a.type for _, _, a in standings.scheme_of(contest).aspects()}
        assert types == {"measurement", "judgement", "panel"}
        # 回避: the steelworks' judge never marked a steelworks competitor.
        steel = db.session.scalar(select(Enterprise.id).where(Enterprise.code == "DEMO-STEEL"))
        steel_judges = set(db.session.scalars(select(ContestJudge.user_id).where(ContestJudge.enterprise_id == steel)))
        for mark in db.session.scalars(select(Mark)):
            members = db.session.get(Competitor, mark.competitor_id).members
            competitor_employers = {m.person.enterprise_id for m in members}
            if steel in competitor_employers:
                assert mark.judge_id not in steel_judges
        cached = standings.board_rows(contest, "jury", standings.options_for(contest, "jury"))
        standings.rebuild(contest)
        assert standings.board_rows(contest, "jury", standings.options_for(contest, "jury")) == cached
        db.session.rollback()
    board = client.get(f"/api/v1/contests/{contest_id}/standings").get_json()
    assert board["rows"][0]["rank"] == 1 and float(board["rows"][0]["total"]) > 0
    assert client.get(f"/board/{contest_id}").status_code == 200
    admin_token = _token(app.test_client(), "demo_admin")  # a client without the page session
    assert client.get("/api/v1/audit/verify", headers=admin_token).get_json()["ok"] is True


def _token(client, username):
    from competition.demo import DEMO_PASSWORD

    response = client.post("/api/v1/auth/token", json={"username": username, "password": DEMO_PASSWORD})
    token = response.get_json()
    assert response.status_code == 201, token
    return {"Authorization": f"Bearer {token['token']}"}


def test_simulate_keeps_the_venue_busy_through_a_real_server(tmp_path):
    """`make simulate` never runs dry: once every open aspect is marked, judges correct marks, then the
    chief judge locks, the organiser finalises and the next contest of the day starts, all through the
    API. Every step changes the public board (its seq moves), so a board never stands still."""
    import requests

    from tests.live_server import prepared_server

    server = prepared_server(tmp_path)
    output = server.command("demo", "--if-empty")
    assert "demo_chief" in output and "demo-pass-2026" in output
    assert "nothing loaded" in server.command("demo", "--if-empty")
    open_now = _open_slots_of_first_running_demo_contest(server.database_url)
    limit = open_now + 3 + 12  # every open aspect, three revisions, then a dozen marks in the next contest
    server.start()
    try:
        contests = requests.get(f"{server.url}/api/v1/contests", timeout=10).json()
        first = next(c["id"] for c in contests if c["state"] == "running")
        before = {c["id"] for c in contests}
        seq_before = requests.get(f"{server.url}/api/v1/contests/{first}/standings", timeout=10).json()["seq"]
        result = server.command("demo", "--simulate", "--url", server.url, "--interval", "0",
                                "--limit", str(limit), "--revisions", "3")
        contests = {c["id"]: c for c in requests.get(f"{server.url}/api/v1/contests", timeout=10).json()}
        boards = {cid: requests.get(f"{server.url}/api/v1/contests/{cid}/standings", timeout=10).json()
                  for cid in contests}
    except RuntimeError as error:
        raise AssertionError(f"{error}\n--- server log ---\n{server.log_tail()}") from error
    finally:
        server.stop()
    statuses = re.findall(r"\((\d{3})\)$", result, flags=re.MULTILINE)
    assert len(statuses) == limit and set(statuses) <= {"200", "201"}, result
    assert result.count("(revision)") == 3, result
    assert contests[first]["state"] == "final"
    assert boards[first]["seq"] > seq_before
    following = [cid for cid in contests if cid not in before]
    assert len(following) == 1 and contests[following[0]]["state"] == "running", contests
    assert "第" in contests[following[0]]["name"] and "示例" in contests[following[0]]["name"]
    after_start = result.split(f"contest {following[0]} «", 1)[1]
    assert len(re.findall(r"\((?:200|201)\)$", after_start, flags=re.MULTILINE)) == 12, result


def _open_slots_of_first_running_demo_contest(database_url: str) -> int:
    from sqlalchemy import select

    from competition import create_app
    from competition.demo_marks import open_slots
    from competition.extensions import db
    from competition.models import Contest, ContestJudge, ContestState

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SOCKETIO_ASYNC_MODE": "threading",
                      "COMPETITION_LOG_LEVEL": "WARNING"})
    with app.app_context():
        contest = db.session.scalar(select(Contest).where(Contest.is_demo.is_(True),
                                                          Contest.state == ContestState.RUNNING).order_by(Contest.id))
        judges = list(db.session.scalars(select(ContestJudge.user_id).where(ContestJudge.contest_id == contest.id)))
        count = len(open_slots(contest, judges))
        db.session.remove()
        db.engine.dispose()
    return count


def test_the_demo_event_has_three_contests_in_different_states_and_a_medal_table(app, client, demo):
    from competition.extensions import db
    from competition.models import Event

    with app.app_context():
        event_id = db.session.scalar(select(Event.id))
    event = client.get(f"/api/v1/events/{event_id}").get_json()
    assert "示例" in event["name"] and len(event["contest_ids"]) == 3
    overview = client.get(f"/api/v1/events/{event_id}/overview").get_json()
    assert [row["state"] for row in overview] == ["running", "final", "provisional"]
    assert all(row["leader"] is not None for row in overview)
    teams = client.get(f"/api/v1/contests/{overview[2]['contest_id']}").get_json()
    assert teams["team_size"] == 2
    table = client.get(f"/api/v1/events/{event_id}/medal-table").get_json()
    assert table["award_codes"][:3] == ["first", "second", "third"] and "gold" in table["award_codes"]
    assert sum(row["counts"]["gold"] for row in table["rows"]) >= 1 and table["rows"][0]["rank"] == 1
    assert client.get(f"/events/{event_id}").status_code == 200
    assert client.get(f"/events/{event_id}/screen").status_code == 200
