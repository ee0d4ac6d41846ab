"""api.md, GET /enterprises/{id}/skill-structure and GET /skill-structure (promotion.md, "Skill-talent
structure"): the figures through the real path (people and grades through the API, proposals from a
final contest), roles.md scoping (another enterprise's hr gets 404), the bureau's total, the target, and
the .xlsx with the same numbers as numbers."""
from __future__ import annotations

import io
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from openpyxl import load_workbook

from tests.contest_fixtures import make_person
from tests.masterdata import ELECTRICIAN, TURNER, person_body, setup_enterprise
from tests.promotion_fixtures import give_grade, promotion_contest
from tests.support import assert_error

LEVELS = ("5", "4", "3", "2", "1")


def levels(**counts: int) -> dict[str, int]:
    """levels(l2=1, l3=2) -> {"5": 0, "4": 0, "3": 2, "2": 1, "1": 0}"""
    return {level: counts.get(f"l{level}", 0) for level in LEVELS}


def structure(client, enterprise_id: int, account, **query):
    response = client.get(f"/api/v1/enterprises/{enterprise_id}/skill-structure", query_string=query,
                          headers=account.headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def add_person(client, account, enterprise_id: int, n: int, grades: dict[str, str], kind: str = "employee") -> int:
    body = person_body(n, kind=kind, grades=[{"occupation_code": code, "grade_code": grade}
                                             for code, grade in grades.items()])
    response = client.post(f"/api/v1/enterprises/{enterprise_id}/people", json=body, headers=account.headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def test_worked_examples_through_the_api(client, admin, make_user):
    enterprise = setup_enterprise(client, admin, "E1")
    hr = make_user("hr", enterprise_id=enterprise)
    add_person(client, hr, enterprise, 1, {ELECTRICIAN["code"]: "technician", TURNER["code"]: "senior"})
    add_person(client, hr, enterprise, 2, {ELECTRICIAN["code"]: "senior_technician"}, kind="student")
    add_person(client, hr, enterprise, 3, {ELECTRICIAN["code"]: "apprentice"})
    add_person(client, hr, enterprise, 4, {})
    add_person(client, hr, enterprise, 5, {TURNER["code"]: "junior"})
    body = structure(client, enterprise, hr)
    assert body["enterprise"] == {"id": enterprise, "code": "E1", "name": "企业E1"}
    # 技师 + 高级工: once, at level 2; the student is not counted; 学徒工 and nobody-graded are in none
    assert body["by_level"] == levels(l2=1, l5=1)
    assert (body["people"], body["skilled"], body["none"], body["high_skill"]) == (4, 2, 2, 1)
    assert (body["high_skill_ratio"], body["skilled_ratio"]) == ("0.5000", "0.5000")
    assert body["high_skill_target"] == "0.3000" and body["by_year"] == []
    assert body["pending"]["by_level"] == body["by_level"]
    assert datetime.fromisoformat(body["as_of"]).tzinfo is not None
    assert body["by_occupation"] == [
        {"occupation_code": TURNER["code"], "occupation_name": "车工", "by_level": levels(l3=1, l5=1), "none": 0,
         "skilled": 2, "high_skill": 1, "high_skill_ratio": "0.5000"},
        {"occupation_code": ELECTRICIAN["code"], "occupation_name": "电工", "by_level": levels(l2=1), "none": 1,
         "skilled": 1, "high_skill": 1, "high_skill_ratio": "1.0000"},
    ]


def test_a_zero_skilled_enterprise_has_a_null_ratio(client, admin):
    enterprise = setup_enterprise(client, admin, "E0")
    body = structure(client, enterprise, admin)
    assert (body["people"], body["skilled"], body["high_skill_ratio"], body["skilled_ratio"]) == (0, 0, None, None)
    add_person(client, admin, enterprise, 7, {ELECTRICIAN["code"]: "apprentice"})
    body = structure(client, enterprise, admin)
    assert (body["people"], body["none"], body["high_skill_ratio"], body["skilled_ratio"]) == (1, 1, None, "0.0000")


def test_pending_proposals_move_exactly_the_people_proposed(client, admin):
    # E0 has bibs 1, 3, 5: 高级工 → 技师, 中级工 → 技师, no grade → 高级工; and a 初级工 who did not compete
    contest = promotion_contest(client, admin, [95, 94, 93, 92, 91, 90],
                                grades={1: "senior", 3: "intermediate", 2: "technician"})
    enterprise = contest.enterprise_of(1)
    bystander = make_person(client.application, enterprise, "旁观者")
    give_grade(client.application, bystander, "junior")
    hr = contest.hr_of(1)
    body = structure(client, enterprise, hr)
    assert body["by_level"] == levels(l5=1, l4=1, l3=1) and body["none"] == 1
    assert (body["skilled"], body["high_skill"], body["high_skill_ratio"]) == (3, 1, "0.3333")
    pending = body["pending"]
    assert pending["by_level"] == levels(l5=1, l3=1, l2=2) and pending["none"] == 0
    assert (pending["people"], pending["skilled"], pending["high_skill"], pending["high_skill_ratio"]) == (
        4, 4, 3, "0.7500")

    # only the selected proposal: the person without a grade becomes 高级工, nobody else moves
    only = contest.outcome(5)["id"]
    selected = structure(client, enterprise, hr, promotion_ids=[only])["pending"]
    assert selected["by_level"] == levels(l5=1, l4=1, l3=2) and selected["none"] == 0
    assert selected["high_skill_ratio"] == "0.5000"
    both = structure(client, enterprise, hr, promotion_ids=[only, contest.outcome(1)["id"]])["pending"]
    assert both["by_level"] == levels(l5=1, l4=1, l3=1, l2=1)

    # confirming moves the person into the current figures and a certificate into its year
    assert contest.confirm(1).status_code == 200
    after = structure(client, enterprise, hr)
    assert after["by_level"] == levels(l5=1, l4=1, l2=1) and after["pending"]["by_level"] == pending["by_level"]
    year = datetime.now(ZoneInfo("Asia/Shanghai")).year
    assert after["by_year"] == [{"year": year, "by_level": levels(l2=1)}]
    # the other enterprise's proposal is not one of this enterprise's
    assert_error(client.get(f"/api/v1/enterprises/{enterprise}/skill-structure",
                            query_string={"promotion_ids": [contest.outcome(2)["id"]]}, headers=hr.headers),
                 422, field="promotion_ids")
    # a decided proposal is no longer pending
    assert_error(client.get(f"/api/v1/enterprises/{enterprise}/skill-structure",
                            query_string={"promotion_ids": [contest.outcome(1)["id"]]}, headers=hr.headers),
                 422, field="promotion_ids")


def test_scoping_per_roles(client, admin, make_user):
    mine = setup_enterprise(client, admin, "MINE")
    other = setup_enterprise(client, admin, "OTHER")
    hr = make_user("hr", enterprise_id=mine)
    for path in ("/skill-structure", "/skill-structure.xlsx"):
        url = f"/api/v1/enterprises/{other}{path}"
        assert_error(client.get(url, headers=hr.headers), 404)
        assert_error(client.get(f"/api/v1/enterprises/999999{path}", headers=admin.headers), 404)
        assert_error(client.get(url, headers=make_user("organizer").headers), 403)
        assert_error(client.get(url, headers=make_user("judge").headers), 403)
        assert_error(client.get(url), 401)
        assert client.get(url, headers=admin.headers).status_code == 200
        assert client.get(f"/api/v1/enterprises/{mine}{path}", headers=hr.headers).status_code == 200
        # the bureau's view is the admin's only
        assert_error(client.get(f"/api/v1{path}", headers=hr.headers), 403)
        assert_error(client.get(f"/api/v1{path}", headers=make_user("organizer").headers), 403)
        assert client.get(f"/api/v1{path}", headers=admin.headers).status_code == 200
    assert_error(client.put(f"/api/v1/enterprises/{other}/skill-structure/target",
                            json={"high_skill_target": "0.4"}, headers=hr.headers), 404)


def _numbers(figures: dict) -> list[int]:
    return [figures[key] for key in ("people", "skilled", "none", "high_skill")] + list(figures["by_level"].values())


def test_the_admin_total_equals_the_sum_of_the_rows(client, admin):
    contest = promotion_contest(client, admin, [95, 94, 93, 92], grades={1: "senior", 2: "intermediate"})
    assert contest.confirm(2).status_code == 200
    third = setup_enterprise(client, admin, "THIRD")
    add_person(client, admin, third, 1, {ELECTRICIAN["code"]: "technician", TURNER["code"]: "senior"})
    add_person(client, admin, third, 2, {TURNER["code"]: "apprentice"})
    body = client.get("/api/v1/skill-structure", headers=admin.headers).get_json()
    rows, total = body["rows"], body["total"]
    assert len(rows) == 3 and sum(row["people"] for row in rows) == 6
    for figures in (lambda f: f, lambda f: f["pending"]):
        assert _numbers(figures(total)) == [sum(values) for values in zip(*(_numbers(figures(r)) for r in rows))]
    high, skilled = total["high_skill"], total["skilled"]
    assert total["high_skill_ratio"] == str((Decimal(high) / Decimal(skilled)).quantize(Decimal("0.0001")))
    assert [y["by_level"] for y in total["by_year"]] == [levels(l2=1)]  # bib 2: 中级工 → 技师
    occupations = {o["occupation_code"]: o for o in total["by_occupation"]}
    assert occupations[ELECTRICIAN["code"]]["by_level"] == levels(l3=1, l2=2)
    assert occupations[TURNER["code"]]["by_level"] == levels(l3=1) and occupations[TURNER["code"]]["none"] == 1
    # each row is what the enterprise's own endpoint says
    for row in rows:
        own = structure(client, row["enterprise"]["id"], admin)
        assert {k: v for k, v in own.items() if k != "as_of"} == {k: v for k, v in row.items() if k != "as_of"}


def test_hr_sets_the_target(client, admin, make_user):
    enterprise = setup_enterprise(client, admin, "TGT")
    hr = make_user("hr", enterprise_id=enterprise)
    url = f"/api/v1/enterprises/{enterprise}/skill-structure/target"
    response = client.put(url, json={"high_skill_target": "0.35"}, headers=hr.headers)
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {"enterprise_id": enterprise, "high_skill_target": "0.3500"}
    assert structure(client, enterprise, hr)["high_skill_target"] == "0.3500"
    for bad in ("1.01", "-0.1", "0.12345", "abc", None, True, "NaN"):
        assert_error(client.put(url, json={"high_skill_target": bad}, headers=hr.headers), 422)
    assert_error(client.put(url, json={"high_skill_target": "0.3", "extra": 1}, headers=hr.headers), 422)
    assert_error(client.put(url, json={}, headers=hr.headers), 422)
    assert structure(client, enterprise, hr)["high_skill_target"] == "0.3500"
    assert client.put(url, json={"high_skill_target": 1}, headers=admin.headers).get_json()["high_skill_target"] == \
        "1.0000"
    entries = client.get("/api/v1/audit", query_string={"action": "enterprise.skill_target"},
                         headers=admin.headers).get_json()
    changes = [e for e in entries if e["action"] == "enterprise.skill_target"]
    assert [e["after"]["high_skill_target"] for e in changes] == ["0.3500", "1.0000"] or \
        [e["after"]["high_skill_target"] for e in changes] == ["1.0000", "0.3500"]


def test_the_xlsx_holds_the_same_numbers_as_numbers(client, admin):
    contest = promotion_contest(client, admin, [95, 94, 93], grades={1: "senior", 3: "intermediate"})
    enterprise = contest.enterprise_of(1)
    hr = contest.hr_of(1)
    body = structure(client, enterprise, hr)
    response = client.get(f"/api/v1/enterprises/{enterprise}/skill-structure.xlsx", headers=hr.headers)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["技能人才结构", "证书年度", "职业"]
    sheet = book["技能人才结构"]
    headers = [c.value for c in sheet[1]]
    now, pending = ({h: c.value for h, c in zip(headers, sheet[n])} for n in (2, 3))
    assert now["职工人数"] == body["people"] and isinstance(now["职工人数"], int)
    assert [now[h] for h in ("五级/初级工", "四级/中级工", "三级/高级工", "二级/技师", "一级/高级技师")] == \
        [body["by_level"][level] for level in LEVELS]
    assert now["高技能人才占比"] == float(body["high_skill_ratio"]) and isinstance(now["高技能人才占比"], float)
    assert pending["高技能人才占比"] == float(body["pending"]["high_skill_ratio"])
    assert pending["技能人才"] == body["pending"]["skilled"]
    assert now["高技能人才占比目标"] == 0.3
    occupation = [c.value for c in book["职业"][2]]
    assert occupation[2:4] == ["6-31-01-03", "电工"]
    assert occupation[4:9] == list(body["by_occupation"][0]["by_level"].values())

    overview = client.get("/api/v1/skill-structure.xlsx", headers=admin.headers)
    rows = list(load_workbook(io.BytesIO(overview.data))["技能人才结构"].iter_rows(min_row=2, values_only=True))
    totals = [row for row in rows if row[0] == "合计"]
    assert len(totals) == 2
    current_rows = [row for row in rows if row[2] == "现状" and row[0] != "合计"]
    assert totals[0][3] == sum(row[3] for row in current_rows)


def test_certificates_count_per_year_in_asia_shanghai_and_only_employees(client, admin):
    from datetime import timezone

    from competition.extensions import db
    from competition.models import Certificate, Promotion

    contest = promotion_contest(client, admin, [95, 94, 93, 92, 91, 90], grades={1: "senior", 3: "intermediate"})
    enterprise = contest.enterprise_of(1)
    for bib in (1, 3, 5):
        assert contest.confirm(bib).status_code == 200
    app = client.application
    with app.app_context():
        certificates = {c.person_id: c for c in db.session.query(Certificate)}
        # 2025-12-31 16:30 UTC is already 2026-01-01 in Shanghai; 15:59 UTC is still 2025-12-31
        certificates[contest.person(1)].issued_at = datetime(2025, 12, 31, 16, 30, tzinfo=timezone.utc)
        certificates[contest.person(3)].issued_at = datetime(2025, 12, 31, 15, 59, tzinfo=timezone.utc)
        # a certificate issued to a student (student bands) is not an employee's
        promotion = db.session.get(Promotion, certificates[contest.person(5)].promotion_id)
        promotion.kind = "student"
        db.session.commit()
    body = structure(client, enterprise, contest.hr_of(1))
    assert body["by_year"] == [{"year": 2025, "by_level": levels(l2=1)}, {"year": 2026, "by_level": levels(l2=1)}]


def test_an_enterprise_without_a_scheme_reads_grades_through_the_eight_grade_template(client, admin):
    from competition.extensions import db
    from competition.models import Occupation, PersonGrade
    from tests.contest_fixtures import ensure_occupation, make_enterprise

    app = client.application
    enterprise = make_enterprise(app)
    ensure_occupation(app)
    people = [make_person(app, enterprise, name) for name in ("甲", "乙", "丙")]
    with app.app_context():
        occupation = db.session.query(Occupation).filter_by(code=ELECTRICIAN["code"]).one()
        for person_id, code in zip(people, ("senior", "chief_technician", "apprentice")):
            db.session.add(PersonGrade(person_id=person_id, occupation_id=occupation.id, grade_code=code))
        db.session.commit()
    body = structure(client, enterprise, admin)
    assert body["by_level"] == levels(l3=1, l1=1) and body["none"] == 1 and body["high_skill_ratio"] == "1.0000"


def test_grades_are_read_through_the_current_scheme_version(client, admin):
    """A person holds a grade code; a new scheme version that moves `technician` to level 1 moves them."""
    from tests.promotion_fixtures import TECHNICIAN_RAISED

    enterprise = setup_enterprise(client, admin, "VER")
    add_person(client, admin, enterprise, 1, {ELECTRICIAN["code"]: "technician"})
    assert structure(client, enterprise, admin)["by_level"] == levels(l2=1)
    response = client.put(f"/api/v1/enterprises/{enterprise}/grade-scheme", json={"grades": TECHNICIAN_RAISED},
                          headers=admin.headers)
    assert response.status_code == 200 and response.get_json()["version"] == 2
    assert structure(client, enterprise, admin)["by_level"] == levels(l1=1)
    overview = client.get("/api/v1/skill-structure", headers=admin.headers).get_json()
    assert overview["rows"][0]["by_level"] == levels(l1=1)
