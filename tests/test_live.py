"""live.md: the /live namespace, every event and guarantee, through the Socket.IO test client."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from tests.promotion_fixtures import POLICY, prepare_contest, promotion_contest, reveal_bands, set_person
from tests.world import build_world


def connect(app, client, world, view="public", token=None, since_seq=None):
    from competition.extensions import socketio

    auth = {"contest_id": world.contest_id, "view": view}
    if token:
        auth["token"] = token
    if since_seq is not None:
        auth["since_seq"] = since_seq
    return socketio.test_client(app, namespace="/live", auth=auth, flask_test_client=client)


def events(sio, name=None):
    received = sio.get_received("/live")
    return [(e["name"], e["args"][0]) for e in received if name is None or e["name"] == name]


def apply(board, name, payload):
    """What a browser does: a snapshot replaces the board; an update replaces whole rows."""
    if name == "board:snapshot":
        return {"seq": payload["seq"], "rows": {r["competitor"]["id"]: r for r in payload["rows"]}}
    assert payload["prev_seq"] == board["seq"], "missed an update"
    rows = dict(board["rows"])
    rows.update({r["competitor"]["id"]: r for r in payload["rows"]})
    return {"seq": payload["seq"], "rows": rows}


def standings(client, world, view="public"):
    path = f"/api/v1/contests/{world.contest_id}/standings" + ("?view=jury" if view == "jury" else "")
    response = client.get(path, headers=world.organizer.headers if view == "jury" else {})
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    return {"seq": body["seq"], "rows": {r["competitor"]["id"]: r for r in body["rows"]}}


@pytest.fixture
def world(app, make_user):
    return build_world(app, make_user)


def test_snapshot_on_connect(app, client, world):
    sio = connect(app, client, world)
    assert sio.is_connected("/live")
    (name, snapshot), = events(sio)
    assert name == "board:snapshot"
    assert snapshot["contest_id"] == world.contest_id and snapshot["view"] == "public"
    assert snapshot["seq"] == 1 and snapshot["state"] == "running" and snapshot["frozen"] is False
    assert {r["competitor"]["bib"] for r in snapshot["rows"]} == {"1", "2", "3"}


def test_update_after_each_mark_with_whole_changed_rows(app, client, world):
    sio = connect(app, client, world)
    events(sio)
    world.put(client, "j1", "c2", "A1", "5")
    (name, update), = events(sio)
    assert name == "board:update"
    assert (update["seq"], update["prev_seq"], update["view"]) == (2, 1, "public")
    changed = {r["competitor"]["id"]: r for r in update["rows"]}
    assert set(changed) >= {world.competitors["c2"]}
    row = changed[world.competitors["c2"]]
    assert row["total"] == "25.00" and row["rank"] == 1 and row["modules"] == {"A": "5.00", "B": "0.00"}
    assert set(row) >= {"rank", "competitor", "total", "components", "modules", "complete", "status"}
    world.put(client, "j1", "c1", "A1", "2")  # c1 moves to rank 2, which pushes c3 to rank 3
    (_, second), = events(sio)
    assert (second["seq"], second["prev_seq"]) == (3, 2)
    assert {r["competitor"]["id"]: r["rank"] for r in second["rows"]} == {
        world.competitors["c1"]: 2, world.competitors["c3"]: 3}


def test_refused_mark_sends_nothing(app, client, world):
    sio = connect(app, client, world)
    events(sio)
    assert world.put(client, "j1", "c1", "A1", "99").status_code == 422
    assert world.put(client, "j3", "c3", "A1", "1").status_code == 403
    assert events(sio) == []


def test_jury_view_needs_a_chief_judge_or_organiser(app, client, world):
    assert not connect(app, client, world, view="jury").is_connected("/live")
    assert not connect(app, client, world, view="jury", token=world.judges["j1"].token).is_connected("/live")
    for account in (world.judges["chief"], world.organizer):
        sio = connect(app, client, world, view="jury", token=account.token)
        assert sio.is_connected("/live")
        assert events(sio)[0][1]["view"] == "jury"


def test_unknown_contest_is_refused(app, client, world):
    from competition.extensions import socketio

    for auth in ({"contest_id": 999}, {"view": "public"}, {"contest_id": "x"}, None):
        sio = socketio.test_client(app, namespace="/live", auth=auth, flask_test_client=client)
        assert not sio.is_connected("/live")


def test_resume_with_since_seq_gets_the_missed_updates_and_ends_equal_to_standings(app, client, world):
    sio = connect(app, client, world)
    (name, snapshot), = events(sio)
    board = apply(None, name, snapshot)
    world.put(client, "j1", "c1", "A1", "3")
    for name, payload in events(sio):
        board = apply(board, name, payload)
    sio.disconnect("/live")
    world.put(client, "j1", "c2", "A1", "4")
    world.put(client, "j1", "c3", "A1", "4")
    world.put(client, "j2", "c1", "B1", "3")
    resumed = connect(app, client, world, since_seq=board["seq"])
    received = events(resumed)
    assert [name for name, _ in received] == ["board:update"] * 3
    for name, payload in received:
        board = apply(board, name, payload)
    assert board == standings(client, world)


def test_resume_beyond_what_is_held_gets_a_snapshot(app, client, world):
    world.put(client, "j1", "c1", "A1", "3")
    sio = connect(app, client, world, since_seq=57)  # a seq this view never had
    (name, payload), = events(sio)
    assert name == "board:snapshot" and payload["seq"] == 2
    from competition.extensions import db
    from competition.models import BoardEvent

    with app.app_context():
        db.session.query(BoardEvent).delete()
        db.session.commit()
    sio = connect(app, client, world, since_seq=0)
    assert [name for name, _ in events(sio)] == ["board:snapshot"]


def test_resync_request(app, client, world):
    sio = connect(app, client, world)
    events(sio)
    world.put(client, "j1", "c1", "A1", "3")
    world.put(client, "j1", "c2", "A1", "3")
    events(sio)  # pretend these were lost
    sio.emit("board:resync", {"since_seq": 1}, namespace="/live")
    assert [(n, p["seq"]) for n, p in events(sio)] == [("board:update", 2), ("board:update", 3)]
    sio.emit("board:resync", {}, namespace="/live")
    assert [n for n, _ in events(sio)] == ["board:snapshot"]


def test_seq_is_per_view_and_durable(app, client, world):
    jury = connect(app, client, world, view="jury", token=world.organizer.token)
    events(jury)
    world.put(client, "j1", "c1", "A1", "3")
    (_, update), = events(jury)
    assert update["seq"] == 2
    from competition.extensions import db
    from competition.models import BoardView

    with app.app_context():
        stored = {v.view: v.seq for v in db.session.query(BoardView).filter_by(contest_id=world.contest_id)}
    assert stored == {"jury": 2, "public": 2}


def test_freeze_public_receives_nothing_that_reveals_a_post_freeze_mark(app, client, make_user):
    world = build_world(app, make_user, freeze_at=datetime.now(timezone.utc) - timedelta(minutes=1))
    public = connect(app, client, world)
    jury = connect(app, client, world, view="jury", token=world.organizer.token)
    (_, snapshot), = events(public)
    assert snapshot["frozen"] is True
    events(jury)
    world.put(client, "j1", "c1", "A1", "5")
    world.put(client, "j1", "c1", "B1", "3")
    assert events(public) == []
    jury_updates = events(jury)
    assert jury_updates and jury_updates[-1][1]["rows"][0]["total"] == "40.00"
    board = standings(client, world)
    assert {r["total"] for r in board["rows"].values()} == {"0.00"}


def test_freeze_keeps_values_as_they_stood(app, client, make_user):
    from competition.extensions import db
    from competition.models import Contest
    from competition.services import boards, standings as standings_service

    world = build_world(app, make_user)
    world.put(client, "j1", "c1", "A1", "2")  # before the freeze
    with app.app_context():
        contest = db.session.get(Contest, world.contest_id)
        contest.freeze_at = datetime.now(timezone.utc)
        standings_service.rebuild(contest, ["public"])
        boards.state_changed(contest)
        db.session.commit()
    world.put(client, "j1", "c1", "A1", "5")  # after: invisible to the public
    public = standings(client, world)["rows"][world.competitors["c1"]]
    jury = standings(client, world, "jury")["rows"][world.competitors["c1"]]
    assert (public["total"], jury["total"]) == ("10.00", "25.00")


def test_contest_state_event(app, client, world):
    from competition.extensions import db
    from competition.models import Contest
    from competition.services import boards

    sio = connect(app, client, world)
    events(sio)
    with app.app_context():
        contest = db.session.get(Contest, world.contest_id)
        contest.unfrozen_at = datetime.now(timezone.utc)
        boards.state_changed(contest)
        db.session.commit()
    assert ("contest:state", {"contest_id": world.contest_id, "state": "running", "frozen": False}) in events(sio)


def test_the_freeze_moment_sends_contest_state_once_to_every_view(app, client, make_user):
    """live.md: `contest:state` on freeze. Nothing but the clock starts a freeze: the broadcaster
    announces the freezes whose moment passed since it last looked, each once."""
    from competition.live.broadcaster import EXTENSION

    now = datetime.now(timezone.utc)
    world = build_world(app, make_user, freeze_at=now + timedelta(minutes=5))
    watching = {"public": connect(app, client, world),
                "jury": connect(app, client, world, view="jury", token=world.organizer.token),
                "judges": connect(app, client, world, view="judge", token=world.judges["j1"].token)}
    for sio in watching.values():
        events(sio)
    broadcaster = app.extensions[EXTENSION]
    broadcaster._freezes_seen_until = now  # as the publisher does when it starts
    broadcaster.announce_freezes(now + timedelta(minutes=4))  # not yet
    assert [events(sio, "contest:state") for sio in watching.values()] == [[]] * 3
    broadcaster.announce_freezes(now + timedelta(minutes=6))
    frozen = ("contest:state", {"contest_id": world.contest_id, "state": "running", "frozen": True})
    assert {view: events(sio, "contest:state") for view, sio in watching.items()} == {
        "public": [frozen], "jury": [frozen], "judges": [frozen]}
    broadcaster.announce_freezes(now + timedelta(minutes=7))  # once
    assert [events(sio, "contest:state") for sio in watching.values()] == [[]] * 3


def test_final_only_public_updates_carry_no_scores(app, client, make_user):
    world = build_world(app, make_user, visibility="final_only")
    sio = connect(app, client, world)
    (_, snapshot), = events(sio)
    assert all(r["total"] is None and r["rank"] is None for r in snapshot["rows"])
    world.put(client, "j1", "c1", "A1", "5")
    (_, update), = events(sio)
    row, = update["rows"]
    assert row["total"] is None and row["rank"] is None and row["components"] == {} and row["modules"] == {}
    assert row["aspects_complete"] == 1


def test_blind_contest_jury_rows_for_the_chief_judge_carry_marking_numbers_only(app, client, make_user):
    world = build_world(app, make_user, blind=True)
    chief = connect(app, client, world, view="jury", token=world.judges["chief"].token)
    (_, snapshot), = events(chief)
    assert all(set(r["competitor"]) == {"id", "marking_no"} for r in snapshot["rows"])
    world.put(client, "j1", "c1", "A1", "5")
    (_, update), = events(chief)
    assert all(set(r["competitor"]) == {"id", "marking_no"} for r in update["rows"])
    organizer = connect(app, client, world, view="jury", token=world.organizer.token)
    assert events(organizer)[0][1]["rows"][0]["competitor"]["name"]


def test_module_lock_event_reaches_the_jury(app, client, world):
    jury = connect(app, client, world, view="jury", token=world.organizer.token)
    events(jury)
    client.post(f"/api/v1/contests/{world.contest_id}/modules/A/lock", headers=world.judges["chief"].headers)
    assert ("module:lock", {"contest_id": world.contest_id, "module_code": "A", "locked": True}) in events(jury)


def test_bursts_coalesce_into_one_update(app, client, world):
    """Three marks committed before the broadcaster runs become one update with seq + 1."""
    from competition.live.broadcaster import EXTENSION

    broadcaster = app.extensions[EXTENSION]
    sio = connect(app, client, world)
    events(sio)
    broadcaster.sync = False
    started = []
    broadcaster._start = lambda: started.append(True)  # hold the background task
    broadcaster._wakeup = type("Event", (), {"set": lambda self: None})()
    for competitor in ("c1", "c2", "c3"):
        world.put(client, "j1", competitor, "B1", "1")
    assert events(sio) == [] and broadcaster._pending == {world.contest_id}
    broadcaster.flush(world.contest_id)
    (_, update), = events(sio)
    assert (update["seq"], update["prev_seq"], len(update["rows"])) == (2, 1, 3)


class Wakeup:
    """Stands in for the background publisher's event: records when it is set."""

    def __init__(self):
        self.times_set = 0

    def set(self):
        self.times_set += 1


def test_a_marks_board_update_waits_until_its_answer_has_been_sent(app, world):
    """The publisher is woken when the WSGI server closes the judge's response, after its last byte,
    so the fan-out never competes with the answer; the contest is pending from the commit on."""
    from werkzeug.test import EnvironBuilder

    from competition.live.broadcaster import EXTENSION

    broadcaster = app.extensions[EXTENSION]
    broadcaster.sync = False
    broadcaster._start = lambda: None  # hold the background task
    broadcaster._wakeup = wakeup = Wakeup()
    environ = EnvironBuilder(path=f"/api/v1/contests/{world.contest_id}/marks", method="PUT",
                             headers=world.judges["j1"].headers,
                             json={"competitor_id": world.competitors["c1"], "aspect_code": "A1",
                                   "value": "5"}).get_environ()
    status = []
    body = app.wsgi_app(environ, lambda s, headers, exc_info=None: status.append(s))
    assert status[0].startswith("201") and broadcaster._pending == {world.contest_id}
    assert wakeup.times_set == 0  # committed and answered, but the answer is not sent yet
    assert b"".join(body)
    assert wakeup.times_set == 0
    body.close()  # what the server does once the last byte is written
    assert wakeup.times_set == 1


def test_a_change_made_outside_a_request_wakes_the_publisher_at_once(app, world):
    from competition.extensions import db
    from competition.live.broadcaster import EXTENSION
    from competition.services import boards

    broadcaster = app.extensions[EXTENSION]
    broadcaster.sync = False
    broadcaster._start = lambda: None
    broadcaster._wakeup = wakeup = Wakeup()
    with app.app_context():
        boards.touch(world.contest_id)
        db.session.commit()
    assert wakeup.times_set == 1 and broadcaster._pending == {world.contest_id}


def test_only_an_http_request_defers_the_wake_to_its_answer(app):
    """Flask-SocketIO runs event handlers in a request context with request.sid set; they send no
    HTTP answer, so a change they commit wakes the publisher at once."""
    from flask import request

    from competition.live.broadcaster import _answering_http_request

    assert not _answering_http_request()
    with app.test_request_context("/api/v1/contests/1/marks", method="PUT"):
        assert _answering_http_request()
        request.sid = "a-socket"
        assert not _answering_http_request()


@pytest.mark.parametrize(("since_last_round", "delay"), [
    (10.0, 0.005),   # a quiet board: only the settling wait
    (0.05, 0.005),   # the window has passed
    (0.0, 0.05),     # a busy board: the window after the last round
    (0.03, 0.02),
    (0.049, 0.005),  # never less than the settling wait
])
def test_a_quiet_board_publishes_after_settling_and_a_busy_one_a_window_after_its_last_round(
        since_last_round, delay):
    from competition.live.broadcaster import publish_delay

    assert publish_delay(since_last_round, 0.005, 0.05) == pytest.approx(delay)


@pytest.mark.parametrize(("publishing", "window"), [
    (0.0, 0.05),    # a cheap publish: the configured window
    (0.01, 0.05),
    (0.03, 0.12),   # a costly one: four times its database work...
    (0.2, 0.2),     # ...never beyond live.md's 200 ms, however slow publishing gets
    (5.0, 0.2),
])
def test_the_coalescing_window_widens_with_publishing_cost_but_never_beyond_200_ms(publishing, window):
    from competition.live.broadcaster import MAX_WINDOW, coalescing_window

    assert MAX_WINDOW == 0.2
    assert coalescing_window(0.05, publishing) == pytest.approx(window)


def test_results_ceremony_reveals_from_the_bottom_up(app, client, make_user):
    from competition.extensions import db
    from competition.models import Contest, ContestState
    from competition.services import promotions

    world = build_world(app, make_user)
    for competitor, value in (("c1", "5"), ("c2", "3"), ("c3", "4")):
        world.put(client, "j1", competitor, "A1", value)
    from tests.support import assert_error

    reveal = f"/api/v1/contests/{world.contest_id}/reveal"
    assert_error(client.post(reveal + "/start", headers=world.organizer.headers), 409, reason="needs_final")
    with app.app_context():
        contest = db.session.get(Contest, world.contest_id)
        contest.state = ContestState.FINAL
        contest.promotion_policy = {"bands": [{"name": "第1名", "ranks": [1, 1], "action": {"raise_levels": 1}}]}
        promotions.compute_for_contest(contest)  # as the transition to final does
        db.session.commit()
    assert_error(client.post(reveal + "/next", headers=world.organizer.headers), 409, reason="reveal_not_started")
    assert_error(client.post(reveal + "/start", headers=world.judges["chief"].headers), 403)
    sio = connect(app, client, world)
    events(sio)
    assert client.post(reveal + "/start", headers=world.organizer.headers).get_json()["remaining"] == 3
    rows = standings(client, world)["rows"].values()
    assert all(r["total"] is None and r["rank"] is None for r in rows)
    update = events(sio)[-1][1]
    assert all(r["total"] is None for r in update["rows"])

    revealed = []
    for _remaining in (2, 1, 0):
        step = client.post(reveal + "/next", headers=world.organizer.headers).get_json()
        revealed.append((step["competitor"]["bib"], step["rank"], step["total"], step["band"]))
        names = [name for name, _ in events(sio)]
        assert names == ["board:update", "reveal:step"]
    assert revealed == [("2", 3, "15.00", None), ("3", 2, "20.00", None), ("1", 1, "25.00", "第1名")]
    assert_error(client.post(reveal + "/next", headers=world.organizer.headers), 409, reason="all_revealed")
    final = standings(client, world)["rows"]
    assert final[world.competitors["c1"]]["rank"] == 1 and final[world.competitors["c1"]]["total"] == "25.00"


STUDENT_POLICY = {**POLICY, "eligible_kinds": ["employee", "student"], "student_bands": [
    {"name": "学生前3名", "ranks": [1, 3], "action": {"to_level": 3, "if_held": "next_level"}, "cap_level": 2}]}


def test_reveal_shows_the_band_of_each_competitors_promotion_outcome(client, admin):
    """live.md: the reveal shows the "promotion band if any"; promotion.md: students are matched against
    `student_bands`, and people who are not eligible get no promotion, hence no band."""
    contest = promotion_contest(client, admin, [95, 94, 93, 92, 91, 50], students=[1],
                                grades={3: "senior_technician"}, policy=STUDENT_POLICY)
    outcomes = contest.outcomes()
    assert (outcomes[1]["status"], outcomes[1]["band"]) == ("proposed", "学生前3名")
    assert (outcomes[3]["reason"], outcomes[6]["reason"]) == ("capped", "below_min_total")
    assert contest.reject(2, reason="材料不全").status_code == 200  # an HR decision changes nothing on stage
    assert reveal_bands(client, contest) == {
        "6": None,          # rank 6, total 50: below_min_total
        "5": "第4-10名", "4": "第4-10名",
        "3": None,          # rank 3 already 高级技师 (level 1): capped, no promotion
        "2": "前3名",        # employee
        "1": "学生前3名",    # a student at rank 1: the student band, not the employees' 前3名
    }


def test_reveal_shows_no_band_for_kinds_not_eligible_and_earlier_promotions(client, admin):
    from tests.promotion_fixtures import contest_with_people

    # once_per_year: bib 1 had a competition promotion confirmed this year, in another contest.
    earlier = promotion_contest(client, admin, [95, 90])
    assert earlier.confirm(1).status_code == 200
    contest_id = contest_with_people(client, admin, earlier.setup.organizer,
                                     [earlier.person(1), earlier.person(2)], [99, 98],
                                     name="2026年电工技能比武（复赛）")
    url = f"/api/v1/contests/{contest_id}/reveal"
    headers = earlier.setup.organizer.headers
    assert client.post(url + "/start", headers=headers).status_code == 200
    steps = [client.post(url + "/next", headers=headers).get_json() for _ in range(2)]
    assert [(s["rank"], s["band"]) for s in steps] == [(2, "前3名"), (1, None)]  # rank 1: already promoted
    # kind_not_eligible: a student at rank 1 under a policy for employees only.
    contest = promotion_contest(client, admin, [95, 90, 85], students=[1])
    assert contest.outcomes()[1]["reason"] == "kind_not_eligible"
    assert reveal_bands(client, contest) == {"3": "前3名", "2": "前3名", "1": None}


def test_reveal_shows_a_teams_band_when_its_promoted_members_share_it(client, admin):
    """promotion.md: every member of a team gets their own outcome (the team's rank; eligibility, kind and
    level their own). The team's band is the one its promoted members share: members without a band
    (not eligible) do not hide it; members promoted under different bands leave the team without one."""
    contest = prepare_contest(client, admin, [95, 94, 93, 92], team_size=2, policy=STUDENT_POLICY,
                              students=[2], member_grades={(3, 0): "senior_technician"})
    set_person(client.application, contest.person(1, 1), kind="student")  # team 1: employee + student
    assert contest.setup.transition("final").status_code == 200
    bands = {(bib, member): contest.outcome(bib, member)["band"] for bib in (1, 2, 3) for member in (0, 1)}
    assert bands == {(1, 0): "前3名", (1, 1): "学生前3名", (2, 0): "学生前3名", (2, 1): "学生前3名",
                     (3, 0): "前3名", (3, 1): "前3名"}
    assert contest.outcome(3, 0)["reason"] == "capped"
    assert reveal_bands(client, contest) == {
        "4": "第4-10名",
        "3": "前3名",        # one member capped (no promotion), the other promoted under 前3名
        "2": "学生前3名",    # two students
        "1": None,          # an employee under 前3名 and a student under 学生前3名: no single band
    }


def test_a_savepoint_inside_a_request_sends_nothing_before_the_real_commit(app, client, world):
    """SQLAlchemy fires commit events for savepoints too; the broadcaster must wait for the real one."""
    from competition.extensions import db
    from competition.models import Contest
    from competition.services import boards

    sio = connect(app, client, world)
    events(sio)
    with app.app_context():
        contest = db.session.get(Contest, world.contest_id)
        with db.session.begin_nested():
            boards.state_changed(contest)
        assert events(sio) == []  # the savepoint is released; the transaction is still open
        db.session.commit()
    assert [name for name, _ in events(sio)] == ["contest:state"]
