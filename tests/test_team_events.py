"""scoring.md, Team events; promotion.md, Team events; roles.md 回避 and blind marking, for a team of three:
from registration to each member's own promotion outcome."""
from __future__ import annotations

from tests.contest_fixtures import (
    WORLDSKILLS_SCHEME,
    create_contest,
    ensure_occupation,
    make_enterprise,
    make_person,
    new_account,
)
from tests.promotion_fixtures import POLICY, give_grade, set_scheme
from tests.support import assert_error


def team_contest(client, admin, **fields):
    """Two teams of three. Team 1 (代表队一): 张三 (E1, employee), 李四 (E1, student), 王五 (E3, already
    技师); team 2 (代表队二): three employees of E2. A judge of E3 employs one member of team 1 only."""
    app = client.application
    occupation = ensure_occupation(app)
    e1, e2, e3 = make_enterprise(app), make_enterprise(app), make_enterprise(app)
    organizer = new_account(client, admin, "organizer")
    contest = create_contest(client, organizer, occupation_code=occupation, team_size=3,
                             promotion_policy=dict(POLICY), **fields)
    url = f"/api/v1/contests/{contest['id']}"
    assert client.put(f"{url}/marking-scheme", json=WORLDSKILLS_SCHEME, headers=organizer.headers).status_code == 200
    team1 = [make_person(app, e1, "张三"), make_person(app, e1, "李四", kind="student"), make_person(app, e3, "王五")]
    give_grade(app, team1[2], "technician")
    team2 = [make_person(app, e2, name) for name in ("赵六", "钱七", "孙八")]
    two = client.post(f"{url}/competitors", json={"member_ids": team1[:2], "bib": "9", "marking_no": "M09"},
                      headers=organizer.headers)
    assert_error(two, 422, field="member_ids")  # a team has exactly team_size people
    teams = []
    for bib, (name, members) in enumerate((("代表队一", team1), ("代表队二", team2)), start=1):
        response = client.post(f"{url}/competitors", json={"member_ids": members, "team_name": name, "bib": str(bib),
                                                          "marking_no": f"M0{bib}"}, headers=organizer.headers)
        assert response.status_code == 201, response.get_json()
        teams.append(response.get_json())
    assert [m["name"] for m in teams[0]["members"]] == ["张三", "李四", "王五"]
    chief = new_account(client, admin, "judge")
    conflicted = new_account(client, admin, "judge", enterprise_id=e3)
    for judge, is_chief in ((chief, True), (conflicted, False)):
        response = client.post(f"{url}/judges", json={"user_id": judge.id, "chief": is_chief, "aspects": "all"},
                               headers=organizer.headers)
        assert response.status_code == 201, response.get_json()
    for enterprise_id in (e1, e2, e3):
        set_scheme(client, admin, enterprise_id)
    assert client.post(f"{url}/transition", json={"to": "running"}, headers=organizer.headers).status_code == 200
    return {"url": url, "organizer": organizer, "chief": chief, "conflicted": conflicted, "teams": teams,
            "team1": team1, "team2": team2}


def put_mark(client, contest, judge, team, value):
    return client.put(f"{contest['url']}/marks", json={"competitor_id": contest["teams"][team]["id"],
                                                      "aspect_code": "M1", "value": value},
                      headers=contest[judge].headers)


def test_three_person_team_from_registration_to_promotion(client, admin):
    contest = team_contest(client, admin)
    url = contest["url"]
    # 回避 covers every member's employer: the E3 judge may not mark team 1 (only 王五 works at E3)
    body = assert_error(put_mark(client, contest, "conflicted", 0, "90"), 403)
    assert "回避" in body["message"]
    assert put_mark(client, contest, "conflicted", 1, "80").status_code == 201
    assert put_mark(client, contest, "chief", 0, "95").status_code == 201

    board = client.get(f"{url}/standings").get_json()
    first = board["rows"][0]
    assert first["rank"] == 1 and first["total"] == "95.00"
    assert first["competitor"]["name"] == "代表队一"
    assert [m["name"] for m in first["competitor"]["members"]] == ["张三", "李四", "王五"]
    csv = client.get(f"{url}/results.csv", headers=contest["organizer"].headers).get_data(as_text=True)
    assert "代表队一（张三、李四、王五）" in csv and "代表队二（赵六、钱七、孙八）" in csv

    assert client.post(f"{url}/modules/M/lock", headers=contest["chief"].headers).status_code == 200
    response = client.post(f"{url}/transition", json={"to": "final"}, headers=contest["organizer"].headers)
    assert response.status_code == 200, response.get_json()

    rows = client.get(f"{url}/promotions", headers=contest["organizer"].headers).get_json()
    by_person = {row["person_id"]: row for row in rows}
    assert len(rows) == 6  # one outcome per person
    zhang, li, wang = (by_person[p] for p in contest["team1"])
    for row in (zhang, li, wang):
        assert row["competitor_id"] == contest["teams"][0]["id"] and row["rank"] == 1
    assert (zhang["status"], zhang["to_grade"], zhang["to_level"]) == ("proposed", "technician", 2)
    assert (li["status"], li["reason"]) == ("not_eligible", "kind_not_eligible")  # the student
    assert (wang["status"], wang["from_grade"], wang["to_grade"], wang["to_level"]) == (
        "proposed", "technician", "senior_technician", 1)  # already 技师: the next level
    for person in contest["team2"]:
        assert by_person[person]["rank"] == 2 and by_person[person]["status"] == "proposed"


def test_blind_team_event_shows_judges_only_the_marking_number(client, admin):
    contest = team_contest(client, admin, blind=True)
    listed = client.get(f"{contest['url']}/competitors", headers=contest["chief"].headers).get_json()
    assert listed and all(set(row) == {"id", "marking_no", "status", "time_used_seconds"} for row in listed)
    text = str(listed)
    assert "张三" not in text and "代表队一" not in text
    board = client.get(f"{contest['url']}/standings?view=jury", headers=contest["chief"].headers).get_json()
    competitor = board["rows"][0]["competitor"]
    assert "members" not in competitor and "name" not in competitor
