"""The judge's tablet on the server side: the worklist API, conflicted competitors left out, blind
answers, the one-time QR sign-in links and the `judge` socket view (roles.md; api.md Marking)."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from tests.support import PASSWORD, assert_error
from tests.world import build_world

# Both databases: the judging API as a broad smoke on each database.
pytestmark = pytest.mark.backends

NAMES = ("张三", "李四", "王五")
ENTERPRISES = ("国网示范供电公司", "鞍钢示范分厂")


@pytest.fixture
def world(app, make_user):
    return build_world(app, make_user)


def worklist(client, world, judge="j1"):
    response = client.get(f"/api/v1/contests/{world.contest_id}/worklist", headers=world.judges[judge].headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def row(body, world, competitor):
    return next(c for c in body["competitors"] if c["id"] == world.competitors[competitor])


def mark(body, world, competitor, aspect):
    return next(m for m in row(body, world, competitor)["marks"] if m["aspect_code"] == aspect)


def csrf_from(html: str) -> str:
    return re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)


def sign_in(client, username, password=PASSWORD):
    token = csrf_from(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"username": username, "password": password, "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)


def set_state(app, contest_id, state):
    from competition.extensions import db
    from competition.models import Contest, ContestState

    with app.app_context():
        db.session.get(Contest, contest_id).state = ContestState(state)
        db.session.commit()


# --- GET /judge/contests ----------------------------------------------------------------------------

def test_judge_contests_running_first_with_chief_flag(app, client, world):
    from competition.extensions import db
    from competition.models import Contest, ContestJudge, ContestState

    with app.app_context():
        template = db.session.get(Contest, world.contest_id)
        ids = {}
        for state in ("final", "draft", "provisional"):
            later = timedelta(days=1)
            other = Contest(name=f"{state} 竞赛", occupation_id=template.occupation_id, tier="enterprise",
                            starts_at=template.starts_at + later, ends_at=template.ends_at + later,
                            scheme=template.scheme, scheme_version=1, state=ContestState(state))
            db.session.add(other)
            db.session.flush()
            db.session.add(ContestJudge(contest_id=other.id, user_id=world.judges["j1"].id, chief=state == "final",
                                        aspects="all"))
            ids[state] = other.id
        db.session.commit()
    response = client.get("/api/v1/judge/contests", headers=world.judges["j1"].headers)
    assert response.status_code == 200
    body = response.get_json()
    # drafts are not shown; running and provisional (taking marks) before final
    assert [c["id"] for c in body] == [world.contest_id, ids["provisional"], ids["final"]]
    assert [c["chief"] for c in body] == [False, False, True]
    assert body[0]["state"] == "running" and body[0]["blind"] is False and body[0]["occupation"] == "电工"
    chief = client.get("/api/v1/judge/contests", headers=world.judges["chief"].headers).get_json()
    assert [(c["id"], c["chief"]) for c in chief] == [(world.contest_id, True)]


def test_judge_contests_needs_a_judge(client, world):
    assert_error(client.get("/api/v1/judge/contests"), 401)
    assert_error(client.get("/api/v1/judge/contests", headers=world.organizer.headers), 403)


# --- GET /contests/{id}/worklist --------------------------------------------------------------------

def test_worklist_contents(client, world):
    body = worklist(client, world)
    assert body["contest"]["id"] == world.contest_id and body["contest"]["blind"] is False
    assert body["judge"]["chief"] is False
    assert [(m["code"], m["locked"], m["open"], m["aspects"]) for m in body["modules"]] == [
        ("A", False, True, ["A1", "A2", "A3"]), ("B", False, True, ["B1"])]
    a1, a2, a3, b1 = body["aspects"]
    assert a1 == {"code": "A1", "name": "接线电阻", "type": "measurement", "module_code": "A", "max_mark": "5",
                  "panel_size": 1, "decimals": 2, "min": "0", "max": "5", "values": None, "description": ""}
    assert (a2["type"], a2["decimals"], a2["max"], a2["values"], a2["panel_size"]) == (
        "judgement", 0, "3", ["0", "1", "2", "3"], 3)
    assert (a3["type"], a3["max"], a3["panel_size"]) == ("panel", "10", 5)
    assert [c["bib"] for c in body["competitors"]] == ["1", "2", "3"]
    first = body["competitors"][0]
    assert first["name"] == "张三" and first["marking_no"] == "M90" and first["status"] == "active"
    assert [m["aspect_code"] for m in first["marks"]] == ["A1", "A2", "A3", "B1"]
    assert first["marks"][0] == {"aspect_code": "A1", "value": None, "version": 0, "mine": False,
                                 "state": "incomplete", "locked": False}


def test_worklist_values_versions_and_states(client, world):
    assert world.put(client, "j1", "c1", "A1", "4.5").status_code == 201
    assert world.put(client, "j1", "c1", "A1", "4.75").status_code == 200
    for judge, value in (("j1", 2), ("j2", 3), ("j4", 3)):
        assert world.put(client, judge, "c1", "A2", value).status_code == 201
    assert world.put(client, "j2", "c2", "B1", "2.5").status_code == 201
    assert world.put(client, "j1", "c2", "A2", 0).status_code == 201
    assert world.put(client, "j2", "c2", "A2", 3).status_code == 201
    assert world.put(client, "j4", "c2", "A2", 3).status_code == 201
    body = worklist(client, world)
    assert mark(body, world, "c1", "A1") == {"aspect_code": "A1", "value": "4.75", "version": 2, "mine": True,
                                             "state": "complete", "locked": False}
    assert mark(body, world, "c1", "A2") == {"aspect_code": "A2", "value": "2", "version": 1, "mine": True,
                                             "state": "complete", "locked": False}
    # a shared measurement entered by a colleague: the value and its version (to send expected_version)
    assert mark(body, world, "c2", "B1") == {"aspect_code": "B1", "value": "2.50", "version": 1, "mine": False,
                                             "state": "complete", "locked": False}
    assert mark(body, world, "c2", "A2")["state"] == "needs_reconciliation"
    # j5 has entered nothing: own values are empty, states are the aspect's
    other = worklist(client, world, "j5")
    assert mark(other, world, "c1", "A2") == {"aspect_code": "A2", "value": None, "version": 0, "mine": False,
                                              "state": "complete", "locked": False}
    assert mark(other, world, "c1", "A1")["value"] == "4.75"  # the shared value


def test_worklist_for_a_narrow_assignment(client, world):
    body = worklist(client, world, "narrow")
    assert [m["code"] for m in body["modules"]] == ["B"]
    assert [a["code"] for a in body["aspects"]] == ["B1"]
    assert all([m["aspect_code"] for m in c["marks"]] == ["B1"] for c in body["competitors"])


def test_worklist_shows_locks(client, world):
    headers = world.judges["chief"].headers
    assert client.post(f"/api/v1/contests/{world.contest_id}/modules/A/lock", headers=headers).status_code == 200
    body = worklist(client, world)
    assert [(m["code"], m["locked"]) for m in body["modules"]] == [("A", True), ("B", False)]
    assert {m["aspect_code"]: m["locked"] for m in body["competitors"][0]["marks"]} == {
        "A1": True, "A2": True, "A3": True, "B1": False}
    response = world.put(client, "j1", "c1", "A1", "3")
    assert_error(response, 409)
    assert "locked" in response.get_json()["message"]


def test_worklist_is_for_judges_of_the_contest(client, world, make_user):
    path = f"/api/v1/contests/{world.contest_id}/worklist"
    assert_error(client.get(path), 401)
    assert_error(client.get(path, headers=world.organizer.headers), 403)
    assert_error(client.get(path, headers=make_user("judge").headers), 403)
    assert_error(client.get("/api/v1/contests/999999/worklist", headers=world.judges["j1"].headers), 404)


def test_conflicted_competitors_are_not_listed_and_cannot_be_marked(client, world):
    body = worklist(client, world, "j3")  # j3 works for E2, like c3
    assert [c["id"] for c in body["competitors"]] == [world.competitors["c1"], world.competitors["c2"]]
    assert_error(world.put(client, "j3", "c3", "A2", 2), 403)
    assert "王五" not in client.get(f"/api/v1/contests/{world.contest_id}/worklist",
                                   headers=world.judges["j3"].headers).get_data(as_text=True)
    # the others still see c3
    assert world.competitors["c3"] in [c["id"] for c in worklist(client, world, "j1")["competitors"]]


def test_conflict_applies_to_the_chief_judge_too(app, client, make_user):
    world = build_world(app, make_user)
    from competition.extensions import db
    from competition.models import ContestJudge

    with app.app_context():
        seat = db.session.query(ContestJudge).filter_by(user_id=world.judges["chief"].id).one()
        seat.enterprise_id = world.enterprises["E1"]
        db.session.commit()
    body = worklist(client, world, "chief")
    assert [c["id"] for c in body["competitors"]] == [world.competitors["c3"]]
    assert_error(world.put(client, "chief", "c1", "A2", 2), 403)


# --- blind marking ----------------------------------------------------------------------------------

def _no_identity(text: str) -> None:
    for secret in NAMES + ENTERPRISES:
        assert secret not in text, f"{secret} leaked: {text[:300]}"


def test_blind_contest_answers_carry_marking_numbers_only(app, client, make_user):
    world = build_world(app, make_user, blind=True)
    path = f"/api/v1/contests/{world.contest_id}"
    headers = world.judges["j1"].headers
    response = client.get(f"{path}/worklist", headers=headers)
    assert response.status_code == 200
    _no_identity(response.get_data(as_text=True))
    body = response.get_json()
    assert body["contest"]["blind"] is True
    assert [c["marking_no"] for c in body["competitors"]] == ["M90", "M91", "M92"]
    assert all(set(c) == {"id", "marking_no", "status", "marks"} for c in body["competitors"])
    answers = [world.put(client, "j1", "c1", "A1", "4.5"), world.put(client, "j1", "c1", "A1", "9"),
               world.put(client, "j3", "c3", "A1", "1"), world.put(client, "j1", "c2", "B1", "1", expected_version=3),
               client.get(f"{path}/marks", headers=headers),
               client.get(f"{path}/marks?competitor_id={world.competitors['c1']}", headers=headers),
               client.get("/api/v1/judge/contests", headers=headers)]
    assert [a.status_code for a in answers] == [201, 422, 403, 409, 200, 200, 200]
    client.post(f"{path}/modules/A/lock", headers=world.judges["chief"].headers)
    answers.append(world.put(client, "j1", "c2", "A1", "1"))
    assert answers[-1].status_code == 409
    for answer in answers:
        _no_identity(answer.get_data(as_text=True))
        assert "bib" not in answer.get_data(as_text=True)


def test_blind_lifts_when_final(app, client, make_user):
    world = build_world(app, make_user, blind=True)
    set_state(app, world.contest_id, "final")
    body = worklist(client, world)
    assert body["contest"]["blind"] is False
    assert row(body, world, "c1")["name"] == "张三" and row(body, world, "c1")["bib"] == "1"


# --- QR sign-in -------------------------------------------------------------------------------------

def qr_links(client, world, hours=None) -> dict[str, str]:
    sign_in(client, world.organizer.username)
    response = client.get(f"/contests/{world.contest_id}/judge-qr" + (f"?hours={hours}" if hours else ""))
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    assert html.count('src="data:image/svg+xml') == len(world.judges)
    links = dict((user, link) for link, user in re.findall(
        r'<a class="qr-link" href="([^"]+)" data-username="([^"]+)"', html))
    assert len(links) == len(world.judges)
    return {name: links[account.username] for name, account in world.judges.items()}


def use_qr_link(client, link):
    """Open a QR link (the page naming the judge), then press its button: the form's POST."""
    page = client.get(link)
    assert page.status_code == 200, page.status_code
    return client.post(link, data={"csrf_token": csrf_from(page.get_data(as_text=True))})


def test_qr_sheet_links_sign_in_once(app, client, world):
    links = qr_links(client, world)
    assert links["j1"].startswith("http://localhost/judge/qr/")
    judge = app.test_client()
    # Opening the link only shows whose it is: a link checker or a chat app's preview spends nothing.
    for _ in range(2):
        page = app.test_client().get(links["j1"])
        assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
        assert page.headers["Referrer-Policy"] == "no-referrer"  # its requests do not carry the link
        assert world.judges["j1"].username in page.get_data(as_text=True)
    assert judge.get(links["j1"]).status_code == 200
    assert judge.get("/api/v1/users/me").status_code == 401
    response = use_qr_link(judge, links["j1"])
    assert response.status_code == 302 and response.headers["Location"].endswith("/judge")
    assert response.headers["Cache-Control"] == "no-store"
    me = judge.get("/api/v1/users/me").get_json()
    assert me["id"] == world.judges["j1"].id
    page = judge.get("/judge").get_data(as_text=True)
    assert world.judges["j1"].username in page or "2026年电工职业技能竞赛" in page
    # the same link again, from anywhere: refused, pointing to the password sign-in
    again = app.test_client().get(links["j1"])
    assert again.status_code == 410
    assert "用户名和密码" in again.get_data(as_text=True)
    assert app.test_client().get(links["j1"]).status_code == 410
    other = app.test_client()
    token = csrf_from(other.get("/login").get_data(as_text=True))
    assert other.post(links["j1"], data={"csrf_token": token}).status_code == 410
    assert other.get("/api/v1/users/me").status_code == 401
    # a QR token is not an API token
    token = links["j2"].rsplit("/", 1)[1]
    assert_error(client.get("/api/v1/users/me", headers={"Authorization": f"Bearer {token}"}), 401)


def test_signing_in_by_qr_needs_the_pages_csrf_token(app, client, world):
    link = qr_links(client, world)["j1"]
    judge = app.test_client()
    assert judge.get(link).status_code == 200
    assert judge.post(link, data={}).status_code == 403  # a cross-site form cannot use the link
    assert judge.get("/api/v1/users/me").status_code == 401
    assert use_qr_link(judge, link).status_code == 302  # and the link still works


def test_qr_tokens_stay_out_of_the_access_log(app, client, world, caplog):
    import json
    import logging

    link = qr_links(client, world)["j1"]
    token = link.rsplit("/", 1)[1]
    with caplog.at_level(logging.INFO, logger="competition.access"):
        assert use_qr_link(app.test_client(), link).status_code == 302
    paths = [json.loads(record.getMessage())["path"] for record in caplog.records
             if record.name == "competition.access"]
    assert paths.count("/judge/qr/[redacted]") == 2, paths  # the page, then its button
    assert not any(token in path for path in paths)


@pytest.mark.parametrize("token", ["q", "r", "ju", "qr"])
def test_a_short_made_up_qr_token_is_redacted_without_touching_the_rest_of_the_path(app, token, caplog):
    import json
    import logging

    with caplog.at_level(logging.INFO, logger="competition.access"):
        assert app.test_client().get(f"/judge/qr/{token}").status_code == 410
    paths = [json.loads(record.getMessage())["path"] for record in caplog.records
             if record.name == "competition.access"]
    assert paths == ["/judge/qr/[redacted]"]


def test_the_access_log_has_a_line_per_request_at_info_and_builds_none_above(app, caplog, monkeypatch):
    import json
    import logging

    from competition import logs

    with caplog.at_level(logging.INFO, logger="competition.access"):
        assert app.test_client().get("/healthz").status_code == 200
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "competition.access"]
    assert [(line["method"], line["path"], line["status"]) for line in lines] == [("GET", "/healthz", 200)]
    assert lines[0]["ms"] >= 0 and lines[0]["user"] is None
    caplog.clear()
    monkeypatch.setattr(logs, "_loggable_path", lambda: pytest.fail("built a line nobody logs"))
    with caplog.at_level(logging.WARNING, logger="competition.access"):
        assert app.test_client().get("/healthz").status_code == 200
    assert not [r for r in caplog.records if r.name == "competition.access"]


def test_a_new_sheet_does_not_invalidate_the_old_one(app, client, world):
    first = qr_links(client, world)
    second = qr_links(client, world, hours=4)
    assert first["j2"] != second["j2"]
    assert use_qr_link(app.test_client(), first["j2"]).status_code == 302
    assert use_qr_link(app.test_client(), second["j2"]).status_code == 302


def test_expired_and_wrong_purpose_links_are_refused(app, client, world):
    from competition.extensions import db
    from competition.models import User
    from competition.services import accounts

    with app.app_context():
        user = db.session.get(User, world.judges["j1"].id)
        expired = accounts.issue_token(user, purpose="qr", lifetime=timedelta(seconds=-1))
        db.session.commit()
    response = client.get(f"/judge/qr/{expired}")
    assert response.status_code == 410
    assert "已过期" in response.get_data(as_text=True)
    assert client.get("/api/v1/users/me").status_code == 401
    # the judge's API token is not a sign-in link, and it keeps working
    assert client.get(f"/judge/qr/{world.judges['j1'].token}").status_code == 410
    assert client.get("/api/v1/users/me", headers=world.judges["j1"].headers).status_code == 200
    assert client.get("/judge/qr/nonsense").status_code == 410


def test_qr_sheet_is_for_organisers(app, client, world):
    path = f"/contests/{world.contest_id}/judge-qr"
    assert client.get(path).status_code == 302  # to the sign-in page
    judge = app.test_client()
    sign_in(judge, world.judges["chief"].username)
    assert judge.get(path).status_code == 403
    sign_in(client, world.organizer.username)
    assert client.get("/contests/999999/judge-qr").status_code == 404
    audit = client.get(f"/api/v1/audit?contest_id={world.contest_id}", headers=world.organizer.headers).get_json()
    assert not any(entry["action"] == "judge.qr_issue" for entry in audit)
    client.get(path)
    audit = client.get(f"/api/v1/audit?contest_id={world.contest_id}", headers=world.organizer.headers).get_json()
    assert [entry["action"] for entry in audit].count("judge.qr_issue") == 1


# --- pages ------------------------------------------------------------------------------------------

def test_judge_pages(app, client, world):
    assert "裁判登录" in client.get("/judge").get_data(as_text=True)
    assert client.get(f"/judge/contests/{world.contest_id}").status_code == 302
    sign_in(client, world.judges["j1"].username)
    home = client.get("/judge").get_data(as_text=True)
    assert "2026年电工职业技能竞赛" in home and f"/judge/contests/{world.contest_id}" in home
    page = client.get(f"/judge/contests/{world.contest_id}")
    assert page.status_code == 200 and 'id="pad"' in page.get_data(as_text=True)
    assert client.get("/judge/contests/999999").status_code == 404
    english = client.get("/judge", headers={"Accept-Language": "en"})
    assert english.status_code == 200
    other = app.test_client()
    sign_in(other, world.organizer.username)
    assert other.get(f"/judge/contests/{world.contest_id}").status_code == 403
    assert "不是裁判" in other.get("/judge").get_data(as_text=True)


def test_blind_judge_pages_show_no_identity(app, client, make_user):
    world = build_world(app, make_user, blind=True)
    sign_in(client, world.judges["j1"].username)
    for path in ("/judge", f"/judge/contests/{world.contest_id}"):
        _no_identity(client.get(path).get_data(as_text=True))


# --- the judge socket view --------------------------------------------------------------------------

def connect(app, client, world, token=None, contest_id=None):
    from competition.extensions import socketio

    auth = {"contest_id": contest_id or world.contest_id, "view": "judge"}
    if token:
        auth["token"] = token
    return socketio.test_client(app, namespace="/live", auth=auth, flask_test_client=client)


def received(sio):
    return [(e["name"], e["args"][0]) for e in sio.get_received("/live")]


def test_judge_socket_gets_hello_locks_and_state_but_no_board(app, client, make_user):
    world = build_world(app, make_user, blind=True)
    sio = connect(app, client, world, token=world.judges["j1"].token)
    assert sio.is_connected("/live")
    assert received(sio) == [("judge:hello", {"contest_id": world.contest_id, "state": "running",
                                              "locks": {"A": False, "B": False}})]
    assert world.put(client, "j2", "c1", "A1", "4").status_code == 201
    assert received(sio) == []  # no board rows for tablets
    chief = world.judges["chief"].headers
    assert client.post(f"/api/v1/contests/{world.contest_id}/modules/A/lock", headers=chief).status_code == 200
    events = received(sio)
    assert events == [("module:lock", {"contest_id": world.contest_id, "module_code": "A", "locked": True})]
    response = client.post(f"/api/v1/contests/{world.contest_id}/modules/A/unlock", headers=chief,
                           json={"reason": "复核"})
    assert response.status_code == 200
    assert [name for name, _ in received(sio)] == ["module:lock"]
    sio.disconnect("/live")
    again = connect(app, client, world, token=world.judges["j1"].token)
    (name, hello), = received(again)
    assert name == "judge:hello" and hello["locks"] == {"A": False, "B": False}


def test_judge_socket_sees_transitions(app, client, world):
    sio = connect(app, client, world, token=world.judges["narrow"].token)
    received(sio)
    for module in ("A", "B"):
        client.post(f"/api/v1/contests/{world.contest_id}/modules/{module}/lock", headers=world.judges["chief"].headers)
    received(sio)
    response = client.post(f"/api/v1/contests/{world.contest_id}/transition", json={"to": "provisional"},
                           headers=world.organizer.headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert ("contest:state", {"contest_id": world.contest_id, "state": "provisional", "frozen": False}) in received(sio)


def test_judge_socket_needs_a_judge_of_the_contest(app, client, world, make_user):
    assert not connect(app, client, world).is_connected("/live")
    assert not connect(app, client, world, token=world.organizer.token).is_connected("/live")
    assert not connect(app, client, world, token=make_user("judge").token).is_connected("/live")
    assert not connect(app, client, world, token=world.judges["j1"].token, contest_id=999999).is_connected("/live")


def test_judge_socket_with_a_session(app, client, world):
    sign_in(client, world.judges["j2"].username)
    sio = connect(app, client, world)
    assert sio.is_connected("/live")
    assert [name for name, _ in received(sio)] == ["judge:hello"]


# --- English ------------------------------------------------------------------------------------------

@pytest.fixture
def english():
    """The English catalog compiled as `make translations` does (compiled catalogs are not committed)."""
    import os
    import tempfile

    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    from competition.paths import TRANSLATIONS

    po = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po"
    mo = po.with_suffix(".mo")
    if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
        with po.open("rb") as source:
            catalog = read_po(source)
        handle, temporary = tempfile.mkstemp(dir=mo.parent, suffix=".tmp")
        with os.fdopen(handle, "wb") as target:
            write_mo(target, catalog)
        os.replace(temporary, mo)


def test_judge_pages_in_english(app, client, world, english):
    assert "Judge sign-in" in client.get("/judge", headers={"Accept-Language": "en"}).get_data(as_text=True)
    client.get("/lang/en")
    sign_in(client, world.judges["j1"].username)
    home = client.get("/judge").get_data(as_text=True)
    assert "My contests" in home and "Running" in home
    page = client.get(f"/judge/contests/{world.contest_id}").get_data(as_text=True)
    assert "Saved {value} · version {version} · {state}" in page and "Choose a competitor on the left" in page
    organiser = app.test_client()
    organiser.get("/lang/en")
    sign_in(organiser, world.organizer.username)
    assert "Judge QR sign-in sheet" in organiser.get(f"/contests/{world.contest_id}/judge-qr").get_data(as_text=True)
    client.get("/lang/zh_CN")
    assert "我的竞赛" in client.get("/judge").get_data(as_text=True)


def test_chief_judge_of_a_blind_contest_changing_a_status_gets_marking_numbers_only(app, client, make_user):
    from tests.world import build_world

    world = build_world(app, make_user, blind=True)
    response = client.patch(f"/api/v1/contests/{world.contest_id}/competitors/{world.competitors['c1']}",
                            json={"status": "absent", "reason": "未到场"}, headers=world.judges["chief"].headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert body["marking_no"] and "name" not in body and "members" not in body and "bib" not in body
    assert "张三" not in response.get_data(as_text=True)
