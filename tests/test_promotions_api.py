"""api.md, Promotions and certificates: HR review of proposals (confirm, reject, batch), versions and
Idempotency-Key, scoping (roles.md: another enterprise's ids are 404), the audit log, the policy library."""
from __future__ import annotations

import json

import pytest

from competition.domain.certificates import CERT_NUMBER_RE, parse_certificate_number
from competition.domain.policy_library import READY_POLICIES
from tests.contest_fixtures import create_contest, new_account
from tests.promotion_fixtures import (
    API_FIELDS,
    TECHNICIAN_LOWERED,
    TECHNICIAN_RAISED,
    give_grade,
    promotion_contest,
    set_scheme,
    template_grades,
)
from tests.support import assert_error

# Both databases: the promotions API as a broad smoke on each database.
pytestmark = pytest.mark.backends


def certificates_count(app) -> int:
    from competition.extensions import db
    from competition.models import Certificate

    with app.app_context():
        return db.session.query(Certificate).count()


def held_grade(client, contest, bib) -> dict:
    """The person's grade in the electrician occupation, as their hr sees it."""
    response = client.get(f"/api/v1/enterprises/{contest.enterprise_of(bib)}/people/{contest.person(bib)}",
                          headers=contest.hr_of(bib).headers)
    assert response.status_code == 200, response.get_json()
    return next(g for g in response.get_json()["grades"] if g["occupation_code"] == "6-31-01-03")


def test_confirm_sets_the_grade_and_issues_the_certificate(client, admin):
    contest = promotion_contest(client, admin, [95, 90, 85], grades={1: "senior"})
    response = contest.confirm(1)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert set(body) >= API_FIELDS
    assert (body["status"], body["version"], body["from_grade"], body["to_grade"]) == (
        "confirmed", 2, "senior", "technician")
    certificate = body["certificate"]
    assert CERT_NUMBER_RE.fullmatch(certificate["number"]) and len(certificate["number"]) == 22
    assert body["certificate_number"] == certificate["number"]
    parts = parse_certificate_number(certificate["number"])
    assert (parts.kind, parts.org_code, parts.province_code, parts.level, parts.serial) == ("Y", "0000", "21", 2, 1)
    assert parts.year == certificate["issue_date"][2:4]
    assert certificate["level_label"] == "二级/技师" and certificate["grade_name"] == "技师"
    assert certificate["occupation_code"] == "6-31-01-03" and certificate["occupation_name"] == "电工"
    assert certificate["occupation_edition"] == "2022" and certificate["direction"] == "--"
    assert certificate["basis"] == "职业技能竞赛直接晋升（2026年电工职业技能竞赛，第1名）"
    assert certificate["rank"] == 1 and certificate["total"] == "95.00"
    assert certificate["verify_url"].endswith(f"/verify/{certificate['number']}")
    assert len(certificate["id_number"]) == 18 and "*" not in certificate["id_number"]  # its own hr
    held = held_grade(client, contest, 1)
    assert (held["grade_code"], held["source"], held["national_level"]) == ("technician", "promotion", 2)
    # The list shows the decision.
    row = contest.outcome(1)
    assert (row["status"], row["version"]) == ("confirmed", 2)


def test_confirm_creates_the_grade_when_none_was_held(client, admin):
    contest = promotion_contest(client, admin, [95, 90])
    assert contest.confirm(1).status_code == 200
    assert held_grade(client, contest, 1)["grade_code"] == "technician"


def test_a_plain_repeat_and_a_stale_version_are_409(client, admin):
    contest = promotion_contest(client, admin, [95, 90, 85])
    row = contest.outcome(1)
    assert contest.confirm(1, version=row["version"]).status_code == 200
    body = assert_error(contest.confirm(1, version=row["version"]), 409)  # no longer proposed
    assert body["current"]["status"] == "confirmed" and body["current"]["version"] == 2
    body = assert_error(contest.confirm(3, version=7), 409)  # stale
    assert body["current"] == contest.outcome(3)
    assert contest.outcome(3)["status"] == "proposed"
    assert certificates_count(client.application) == 1


def test_idempotency_key_returns_the_first_answer(client, admin):
    contest = promotion_contest(client, admin, [95, 90, 85])
    key = {"Idempotency-Key": "confirm-1"}
    first = contest.confirm(1, headers=key)
    again = contest.confirm(1, headers=key, version=1)
    assert first.status_code == again.status_code == 200
    assert first.get_json() == again.get_json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert certificates_count(client.application) == 1
    # The same key for another body is 409, and nothing happens.
    assert_error(contest.confirm(1, headers=key, version=2), 409)
    hr = contest.hr_of(3)
    other = contest.outcome(3)
    response = client.post(f"/api/v1/promotions/{other['id']}/confirm", json={"version": 1},
                           headers={**hr.headers, **key})
    assert_error(response, 409)
    assert contest.outcome(3)["status"] == "proposed"
    # A failed request is not remembered: the key can be used again.
    reject_key = {**hr.headers, "Idempotency-Key": "reject-3"}
    url = f"/api/v1/promotions/{other['id']}/reject"
    assert_error(client.post(url, json={"version": 1}, headers=reject_key), 422, field="reason")
    assert client.post(url, json={"version": 1, "reason": "资格审核未通过"}, headers=reject_key).status_code == 200


def test_reject_needs_a_reason(client, admin):
    contest = promotion_contest(client, admin, [95, 90, 85], grades={1: "senior"})
    assert_error(contest.reject(1, reason=None), 422, field="reason")
    assert_error(contest.reject(1, reason="   "), 422, field="reason")
    assert_error(contest.reject(1, reason="长" * 2001), 422, field="reason")
    response = contest.reject(1, reason="参赛资格复核未通过")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["status"], body["version"], body["reject_reason"], body["certificate"]) == (
        "rejected", 2, "参赛资格复核未通过", None)
    assert_error(contest.confirm(1, version=2), 409)
    assert held_grade(client, contest, 1)["grade_code"] == "senior"
    assert certificates_count(client.application) == 0


def test_only_the_employers_hr_decides(client, admin):
    contest = promotion_contest(client, admin, [95, 90, 85])
    row = contest.outcome(1)
    confirm, reject = f"/api/v1/promotions/{row['id']}/confirm", f"/api/v1/promotions/{row['id']}/reject"
    other_hr = contest.hr_of(2)  # the other enterprise
    assert_error(client.post(confirm, json={"version": 1}, headers=other_hr.headers), 404)
    assert_error(client.post(reject, json={"version": 1, "reason": "x"}, headers=other_hr.headers), 404)
    assert_error(client.get(f"/api/v1/promotions/{row['id']}", headers=other_hr.headers), 404)
    own_hr = contest.hr_of(1)
    assert_error(client.post("/api/v1/promotions/999999/confirm", json={"version": 1}, headers=own_hr.headers), 404)
    for account in (admin, contest.setup.organizer, contest.setup.chief):
        assert_error(client.post(confirm, json={"version": 1}, headers=account.headers), 403)
    assert_error(client.post(confirm, json={"version": 1}), 401)
    assert contest.outcome(1)["status"] == "proposed"
    assert client.get(f"/api/v1/promotions/{row['id']}", headers=own_hr.headers).status_code == 200


def test_bodies_are_strict(client, admin):
    contest = promotion_contest(client, admin, [95, 90])
    row = contest.outcome(1)
    url = f"/api/v1/promotions/{row['id']}/confirm"
    hr = contest.hr_of(1)
    assert_error(client.post(url, json={"version": 1, "colour": "red"}, headers=hr.headers), 422, field="colour")
    assert_error(client.post(url, json={}, headers=hr.headers), 422, field="version")
    assert_error(client.post(url, json={"version": "1"}, headers=hr.headers), 422, field="version")
    assert_error(client.post("/api/v1/promotions/decide", json={"decisions": []}, headers=hr.headers), 422)
    assert_error(client.post("/api/v1/promotions/decide",
                             json={"decisions": [{"id": row["id"], "version": 1, "action": "approve"}]},
                             headers=hr.headers), 422)


def test_batch_decides_each_row_on_its_own(client, admin):
    contest = promotion_contest(client, admin, [95, 94, 93, 92, 91, 90, 89, 88])
    hr = contest.hr_of(1)  # bibs 1, 3, 5, 7
    rows = {bib: contest.outcome(bib) for bib in range(1, 9)}
    decisions = [
        {"id": rows[7]["id"], "version": 1, "action": "reject", "reason": "未提交申报材料"},
        {"id": rows[1]["id"], "version": 1, "action": "confirm"},
        {"id": rows[3]["id"], "version": 9, "action": "confirm"},  # stale
        {"id": rows[5]["id"], "version": 1, "action": "reject"},  # no reason
        {"id": rows[2]["id"], "version": 1, "action": "confirm"},  # another enterprise's person
        {"id": 999999, "version": 1, "action": "confirm"},
    ]
    response = client.post("/api/v1/promotions/decide", json={"decisions": decisions}, headers=hr.headers)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["confirmed"], body["rejected"], body["failed"]) == (1, 1, 4)
    results = body["results"]
    assert [r["id"] for r in results] == [d["id"] for d in decisions]  # the request's order
    assert [r["status"] for r in results] == [200, 200, 409, 422, 404, 404]
    assert [r["ok"] for r in results] == [True, True, False, False, False, False]
    assert results[0]["promotion"]["status"] == "rejected" and results[0]["certificate"] is None
    assert results[1]["promotion"]["status"] == "confirmed"
    assert CERT_NUMBER_RE.fullmatch(results[1]["certificate"]["number"])
    assert results[2]["current"]["version"] == 1 and "errors" in results[3]
    assert "current" not in results[4]  # nothing about another enterprise's promotion leaks
    statuses = {bib: contest.outcome(bib)["status"] for bib in (1, 3, 5, 7, 2)}
    assert statuses == {1: "confirmed", 3: "proposed", 5: "proposed", 7: "rejected", 2: "proposed"}
    assert certificates_count(client.application) == 1
    # Both successful decisions are in the audit log although later rows were rolled back.
    entries = client.get(f"/api/v1/audit?contest_id={contest.contest_id}", headers=admin.headers).get_json()
    decided = sorted((e["action"], e["target"]) for e in entries if e["action"].startswith("promotion."))
    assert decided == [("promotion.confirm", f"promotion:{rows[1]['id']}"),
                       ("promotion.reject", f"promotion:{rows[7]['id']}")]
    assert client.get("/api/v1/audit/verify", headers=admin.headers).get_json()["ok"] is True


def test_batch_with_the_same_proposal_twice(client, admin):
    contest = promotion_contest(client, admin, [95, 90])
    row = contest.outcome(1)
    decision = {"id": row["id"], "version": 1, "action": "confirm"}
    response = client.post("/api/v1/promotions/decide", json={"decisions": [decision, decision]},
                           headers=contest.hr_of(1).headers)
    assert [r["status"] for r in response.get_json()["results"]] == [200, 409]
    assert certificates_count(client.application) == 1


def test_batch_idempotency_key(client, admin):
    contest = promotion_contest(client, admin, [95, 94, 93])
    hr = contest.hr_of(1)
    decisions = [{"id": contest.outcome(bib)["id"], "version": 1, "action": "confirm"} for bib in (1, 3)]
    headers = {**hr.headers, "Idempotency-Key": "batch-1"}
    first = client.post("/api/v1/promotions/decide", json={"decisions": decisions}, headers=headers)
    again = client.post("/api/v1/promotions/decide", json={"decisions": decisions}, headers=headers)
    assert first.status_code == again.status_code == 200
    assert first.get_json() == again.get_json() and first.get_json()["confirmed"] == 2
    assert again.headers["Idempotent-Replayed"] == "true"
    assert certificates_count(client.application) == 2
    # Without the key a repeat is refused row by row.
    repeat = client.post("/api/v1/promotions/decide", json={"decisions": decisions}, headers=hr.headers)
    assert [r["status"] for r in repeat.get_json()["results"]] == [409, 409]


def test_batch_is_for_hr_officers(client, admin):
    contest = promotion_contest(client, admin, [95, 90])
    body = {"decisions": [{"id": contest.outcome(1)["id"], "version": 1, "action": "confirm"}]}
    assert_error(client.post("/api/v1/promotions/decide", json=body), 401)
    assert_error(client.post("/api/v1/promotions/decide", json=body, headers=admin.headers), 403)
    assert_error(client.post("/api/v1/promotions/decide", json=body, headers=contest.setup.organizer.headers), 403)


def test_confirm_refused_when_the_person_already_holds_the_target(client, admin):
    contest = promotion_contest(client, admin, [95, 90], grades={1: "senior"})
    give_grade(client.application, contest.person(1), "senior_technician")  # changed by hr meanwhile
    body = assert_error(contest.confirm(1), 409)
    assert "高级技师" in body["message"]
    assert held_grade(client, contest, 1)["grade_code"] == "senior_technician"


def test_confirm_refused_when_the_target_grade_left_the_scheme(client, admin):
    from competition.domain.grades import EIGHT_GRADE_TEMPLATE

    contest = promotion_contest(client, admin, [95, 90])
    grades = [dict(g, code="tech_2026") if g["code"] == "technician" else g for g in EIGHT_GRADE_TEMPLATE.to_dicts()]
    set_scheme(client, admin, contest.enterprise_of(1), grades)
    body = assert_error(contest.confirm(1), 409)
    assert "technician" in body["message"]


def assert_grant_agrees(client, contest, bib, certificate) -> None:
    """The certificate, the person's recorded grade and the proposal name the same grade and level."""
    outcome = contest.outcome(bib)
    held = held_grade(client, contest, bib)
    assert outcome["status"] == "confirmed"
    assert certificate["grade_code"] == held["grade_code"] == outcome["to_grade"]
    assert certificate["level"] == held["national_level"] == outcome["to_level"]
    assert parse_certificate_number(certificate["number"]).level == outcome["to_level"]


def test_the_certificate_keeps_the_proposals_scheme_version(client, admin):
    """promotion.md: promotions and certificates keep the scheme version they used. A renamed grade
    (same code, same level) is granted as proposed: the certificate prints the proposal's version."""
    contest = promotion_contest(client, admin, [95, 90], grades={1: "senior"})
    set_scheme(client, admin, contest.enterprise_of(1), template_grades({"technician": {"name": "技师（一档）"}}))
    response = contest.confirm(1)
    assert response.status_code == 200, response.get_json()
    certificate = response.get_json()["certificate"]
    assert (certificate["grade_code"], certificate["grade_name"], certificate["scheme_version"]) == (
        "technician", "技师", 1)
    assert (certificate["level"], certificate["level_label"]) == (2, "二级/技师")
    assert_grant_agrees(client, contest, 1, certificate)


def test_a_new_sub_level_below_the_target_keeps_the_proposal(client, admin):
    """The target is no longer its level's entry grade in the new version, but still of the proposed
    level: the confirmation grants exactly the proposal."""
    contest = promotion_contest(client, admin, [95, 90], grades={1: "senior"})
    set_scheme(client, admin, contest.enterprise_of(1), template_grades(
        insert_before={"technician": [{"code": "tech_0", "name": "技师预备档", "national_level": 2}]}))
    response = contest.confirm(1)
    assert response.status_code == 200, response.get_json()
    certificate = response.get_json()["certificate"]
    assert (certificate["grade_code"], certificate["grade_name"], certificate["level"],
            certificate["scheme_version"]) == ("technician", "技师", 2, 1)
    assert_grant_agrees(client, contest, 1, certificate)


@pytest.mark.parametrize(("grades", "now_level"), [(TECHNICIAN_RAISED, 1), (TECHNICIAN_LOWERED, 3)],
                         ids=["raised", "lowered"])
def test_confirm_refused_when_the_scheme_moved_the_target_to_another_level(client, admin, grades, now_level):
    """The audit's reproduction: proposed 技师 (level 2) under version 1; version 2 maps `technician` to
    another level. Granting the code would give the person a level the policy (and its cap) did not
    award, or less than the certificate would say: 409, nothing changes, the proposal can be rejected."""
    contest = promotion_contest(client, admin, [95, 90], grades={1: "senior"})
    row = contest.outcome(1)
    assert (row["status"], row["to_grade"], row["to_level"]) == ("proposed", "technician", 2)
    set_scheme(client, admin, contest.enterprise_of(1), grades)
    body = assert_error(contest.confirm(1), 409)
    assert "technician" in body["message"] and f"level {now_level}" in body["message"]
    assert body["current"] == row
    assert certificates_count(client.application) == 0
    assert contest.outcome(1) == row
    held = held_grade(client, contest, 1)
    assert (held["grade_code"], held["national_level"], held["source"]) != ("technician", now_level, "promotion")
    assert held["grade_code"] == "senior" and held["national_level"] == 3
    # The same refusal inside a batch; rejecting stays possible.
    batch = client.post("/api/v1/promotions/decide", headers=contest.hr_of(1).headers,
                        json={"decisions": [{"id": row["id"], "version": row["version"], "action": "confirm"}]})
    assert batch.status_code == 200, batch.get_json()
    (result,) = batch.get_json()["results"]
    assert (result["ok"], result["status"]) == (False, 409)
    assert contest.reject(1, reason="等级体系已调整，按新体系重新认定").status_code == 200
    assert certificates_count(client.application) == 0


def test_confirm_refused_when_the_target_became_appointed_only(client, admin):
    """promotion.md step 5: never an appointed_only grade. Proposed 高级技师 (level 1) from 技师; the new
    version makes `senior_technician` reachable by appointment only."""
    contest = promotion_contest(client, admin, [95, 94], grades={2: "technician"})
    row = contest.outcome(2)
    assert (row["status"], row["to_grade"], row["to_level"]) == ("proposed", "senior_technician", 1)
    set_scheme(client, admin, contest.enterprise_of(2), template_grades(
        {"senior_technician": {"appointed_only": True}},
        {"senior_technician": [{"code": "top_technician", "name": "高级技师", "national_level": 1}]}))
    body = assert_error(contest.confirm(2), 409)
    assert "senior_technician" in body["message"] and "appointment" in body["message"]
    assert certificates_count(client.application) == 0
    assert held_grade(client, contest, 2)["grade_code"] == "technician"


def test_the_audit_log_never_holds_id_numbers(app, client, admin):
    from competition.extensions import db
    from competition.models import Person

    contest = promotion_contest(client, admin, [95, 90, 85])
    assert contest.confirm(1).status_code == 200
    assert contest.reject(3, reason="复核未通过").status_code == 200
    with app.app_context():
        numbers = [p.id_number for p in db.session.query(Person)]
    entries = json.dumps(client.get("/api/v1/audit", headers=admin.headers).get_json(), ensure_ascii=False)
    assert "promotion.confirm" in entries and "promotion.reject" in entries
    assert not any(number in entries for number in numbers)


def test_promotion_detail(client, admin):
    contest = promotion_contest(client, admin, [95, 90], grades={1: "senior"})
    row = contest.outcome(1)
    url = f"/api/v1/promotions/{row['id']}"
    detail = client.get(url, headers=contest.setup.organizer.headers).get_json()
    assert {k: detail[k] for k in API_FIELDS} == row
    assert (detail["person_name"], detail["total"], detail["status_label"]) == ("张三", "95.00", "待审核")
    assert detail["from_text"] == "高级工 (三级/高级工)" and detail["to_text"] == "技师 (二级/技师)"
    assert detail["certificate"] is None
    contest.confirm(1)
    detail = client.get(url, headers=admin.headers).get_json()
    assert detail["certificate"]["number"] == detail["certificate_number"]
    assert_error(client.get(url, headers=contest.setup.chief.headers), 403)
    assert_error(client.get(url), 401)


def test_policy_library(client, admin):
    assert_error(client.get("/api/v1/policy-library"), 401)
    judge = new_account(client, admin, "judge")
    response = client.get("/api/v1/policy-library", headers=judge.headers)
    assert response.status_code == 200
    library = response.get_json()
    assert [p["id"] for p in library] == [p.id for p in READY_POLICIES]
    for entry in library:
        assert entry["rule"] and entry["source"] and entry["title_zh"] and entry["policy"]["bands"]
    sources = {entry["source"] for entry in library}
    assert "黑人社函〔2017〕132号" in sources and "Anhui 2023" in sources
    # Each one can be attached to a contest as it is.
    from tests.contest_fixtures import ensure_occupation

    ensure_occupation(client.application)
    organizer = new_account(client, admin, "organizer")
    for entry in library:
        contest = create_contest(client, organizer, promotion_policy=entry["policy"])
        assert contest["promotion_policy"] == entry["policy"]
