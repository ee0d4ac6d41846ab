"""Nothing private reaches the public (roles.md, live.md "The public view never carries anything the
public may not see").

The demo contest, every person given a phone number; a freeze in the past; then marks entered after the
freeze. Every public page and public API answer, and the public Socket.IO snapshot and updates, are
scanned for each person's ID number (whole, and the digits that masking hides), person number, phone
number, and for the post-freeze totals: none may appear.
"""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from sqlalchemy import select


def _scan(text: str, secrets: dict[str, str], where: str) -> list[str]:
    return [f"{where}: {kind} {value!r}" for value, kind in secrets.items() if value in text]


def test_public_views_leak_nothing(app, client):
    from competition import demo
    from competition.extensions import db, socketio
    from competition.models import Certificate, Contest, ContestJudge, Person, Role, User
    from competition.services import accounts

    with app.app_context():
        demo.load()
        contest = db.session.scalar(select(Contest))
        contest_id = contest.id
        secrets: dict[str, str] = {}
        for n, person in enumerate(db.session.scalars(select(Person)).all()):
            person.phone = f"139{n:08d}"
            secrets[person.id_number] = "ID number"
            secrets[person.id_number[6:14]] = "hidden ID digits (birth date)"
            secrets[person.id_number[6:]] = "hidden ID digits (tail)"
            secrets[person.person_no] = "person number"
            secrets[person.phone] = "phone"
        organizer = db.session.scalar(select(User).where(User.role == Role.ORGANIZER))
        organizer_token = accounts.issue_token(organizer)
        judges = [(cj.user_id, accounts.issue_token(db.session.get(User, cj.user_id)))
                  for cj in db.session.scalars(select(ContestJudge).where(ContestJudge.contest_id == contest_id,
                                                                          ContestJudge.chief.is_(False)))]
        certificates = [c.number for c in db.session.scalars(select(Certificate))]
        db.session.commit()
    staff = {"Authorization": f"Bearer {organizer_token}"}

    # freeze one minute ago
    freeze = (datetime.now(timezone.utc) - timedelta(minutes=1)).isoformat()
    response = client.patch(f"/api/v1/contests/{contest_id}", json={"freeze_at": freeze}, headers=staff)
    assert response.status_code == 200, response.get_json()
    before = client.get(f"/api/v1/contests/{contest_id}/standings").get_json()
    assert before["frozen"] is True
    jury_before = client.get(f"/api/v1/contests/{contest_id}/standings?view=jury", headers=staff).get_json()

    sio = socketio.test_client(app, namespace="/live", auth={"contest_id": contest_id, "view": "public"},
                               flask_test_client=client)
    assert sio.is_connected("/live")

    # marks after the freeze: the measurement aspect A1 (max 20) set to a new value wherever allowed
    competitors = [row["competitor"]["id"] for row in jury_before["rows"]]
    accepted = 0
    for competitor_id in competitors:
        for _, token in judges:
            response = client.put(f"/api/v1/contests/{contest_id}/marks",
                                  json={"competitor_id": competitor_id, "aspect_code": "A1", "value": "19.5"},
                                  headers={"Authorization": f"Bearer {token}"})
            if response.status_code in (200, 201):
                accepted += 1
                break
        if accepted >= 6:
            break
    assert accepted >= 3, "no post-freeze marks were accepted"
    jury_after = client.get(f"/api/v1/contests/{contest_id}/standings?view=jury", headers=staff).get_json()
    old_totals = {row["competitor"]["id"]: row["total"] for row in jury_before["rows"]}
    changed = {row["competitor"]["id"]: row["total"] for row in jury_after["rows"]
               if row["total"] != old_totals[row["competitor"]["id"]]}
    assert changed, "the marks changed no jury total"
    public_before_totals = {row["competitor"]["id"]: row.get("total") for row in before["rows"]}
    hidden = {total: "post-freeze total" for cid, total in changed.items()
              if total and total not in public_before_totals.values()}

    assert hidden, "every changed total also appeared before the freeze: nothing distinctive to look for"
    # the scanner itself works: the jury view (staff) does show the post-freeze totals
    assert _scan(json.dumps(jury_after, ensure_ascii=False), hidden, "jury")

    leaks: list[str] = []
    after = client.get(f"/api/v1/contests/{contest_id}/standings")
    assert after.status_code == 200
    assert [(r["competitor"]["id"], r.get("total"), r.get("rank")) for r in after.get_json()["rows"]] == \
           [(r["competitor"]["id"], r.get("total"), r.get("rank")) for r in before["rows"]], "public board moved"
    pages = {
        "GET /api/v1/contests": client.get("/api/v1/contests"),
        "GET /api/v1/contests/{id}": client.get(f"/api/v1/contests/{contest_id}"),
        "GET /api/v1/contests/{id}/standings": after,
        "GET /contests": client.get("/contests"),
        "GET /": client.get("/", follow_redirects=True),
        "GET /board/{id}": client.get(f"/board/{contest_id}"),
    }
    for number in certificates[:3]:
        pages[f"GET /verify/{number}"] = client.get(f"/verify/{number}")
        pages[f"GET /api/v1/verify/{number}"] = client.get(f"/api/v1/verify/{number}")
    for where, response in pages.items():
        assert response.status_code == 200, (where, response.status_code)
        text = response.get_data(as_text=True)
        if where == "GET /api/v1/contests":  # the demo's other contests' public figures are not this one's
            text = json.dumps([c for c in response.get_json() if c["id"] == contest_id], ensure_ascii=False)
        leaks += _scan(text, secrets, where)
        leaks += _scan(text, hidden, where)
    for kind in ("csv", "xlsx"):
        response = client.get(f"/api/v1/contests/{contest_id}/results.{kind}")
        assert response.status_code == 404, f"results.{kind} before final: {response.status_code}"
        leaks += _scan(response.get_data(as_text=True), secrets, f"results.{kind}")

    received = sio.get_received("/live")
    assert any(event["name"] == "board:snapshot" for event in received)
    for event in received:
        text = json.dumps(event["args"], ensure_ascii=False)
        leaks += _scan(text, secrets, f"socket {event['name']}")
        leaks += _scan(text, hidden, f"socket {event['name']}")
        if event["name"] == "board:update":
            for row in event["args"][0]["rows"]:
                cid = row["competitor"]["id"]
                assert row.get("total") == public_before_totals.get(cid), f"socket update moved {cid} after freeze"
    sio.disconnect("/live")
    assert not leaks, "\n".join(leaks)


def test_a_blind_contests_public_rows_carry_no_competitor_id_until_final(app, client, make_user):
    """roles.md 加密评分: judges know competitors by id and marking number only. A public row pairing the
    id with the name would undo that, so until the contest is final public rows carry no id (the bib
    identifies them); the jury's views keep it."""
    from competition.extensions import socketio
    from tests.contest_fixtures import set_state
    from tests.world import build_world

    world = build_world(app, make_user, blind=True)
    url = f"/api/v1/contests/{world.contest_id}"
    judge = {"Authorization": f"Bearer {world.judges['j1'].token}"}
    worklist = client.get(f"{url}/competitors", headers=judge).get_json()
    assert {c["id"] for c in worklist} == set(world.competitors.values())  # what a judge knows

    def public_competitors(body):
        return [row["competitor"] for row in body["rows"]]

    sio = socketio.test_client(app, namespace="/live", auth={"contest_id": world.contest_id, "view": "public"},
                               flask_test_client=client)
    world.put(client, "j1", "c1", "A1", "5")
    received = [e["args"][0] for e in sio.get_received("/live") if e["name"] in ("board:snapshot", "board:update")]
    assert len(received) == 2
    for competitors in [public_competitors(client.get(f"{url}/standings").get_json()),
                        *map(public_competitors, received)]:
        assert competitors and all("id" not in c and c["bib"] and c["name"] for c in competitors), competitors
    jury = client.get(f"{url}/standings?view=jury", headers=world.organizer.headers).get_json()
    assert {row["competitor"]["id"] for row in jury["rows"]} == set(world.competitors.values())

    set_state(app, world.contest_id, "final")
    public = public_competitors(client.get(f"{url}/standings").get_json())
    assert {c["id"] for c in public} == set(world.competitors.values())
