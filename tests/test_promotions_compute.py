"""promotion.md, Promotion policy: the outcomes computed when a contest becomes final, through the real
path (contest → marks → module locks → final → GET /contests/{id}/promotions), on SQLite and PostgreSQL."""
from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from competition.domain.policy_library import get_ready_policy
from tests.contest_fixtures import new_account
from tests.promotion_fixtures import (
    API_FIELDS,
    POLICY,
    WORKED_GRADES,
    WORKED_TOTALS,
    contest_with_people,
    prepare_contest,
    promotion_contest,
    promotions_of,
)
from tests.support import assert_error


def proposed(row, band, from_grade, to_grade, from_level, to_level):
    assert (row["status"], row["reason"], row["band"]) == ("proposed", None, band), row
    assert (row["from_grade"], row["to_grade"], row["from_level"], row["to_level"]) == (
        from_grade, to_grade, from_level, to_level), row


def not_eligible(row, reason, band=None):
    assert (row["status"], row["reason"], row["band"]) == ("not_eligible", reason, band), row
    assert row["to_grade"] is None and row["to_level"] is None, row


# --- the worked examples of promotion.md ----------------------------------------------------------------

def test_worked_examples(client, admin):
    """Policy as in the spec, 12 ranked employees (N = 12), no earlier promotion."""
    contest = promotion_contest(client, admin, WORKED_TOTALS, grades=WORKED_GRADES)
    rows = contest.promotions()
    assert len(rows) == 12 and len({r["person_id"] for r in rows}) == 12  # exactly one outcome per person
    assert all(set(row) == API_FIELDS for row in rows)
    out = contest.outcomes()
    assert [out[bib]["rank"] for bib in range(1, 13)] == [1, 2, 3, 3, 5, 6, 7, 8, 9, 10, 11, 12]
    # rank 1, currently 高级工 (3) → to_level 2: 技师.
    proposed(out[1], "前3名", "senior", "technician", 3, 2)
    # rank 2, currently 技师 (2) → already held, next level: 高级技师 (1).
    proposed(out[2], "前3名", "technician", "senior_technician", 2, 1)
    # rank 3 shared by two people → both in 前3名.
    proposed(out[3], "前3名", "intermediate", "technician", 4, 2)
    proposed(out[4], "前3名", "senior", "technician", 3, 2)
    # rank 5, currently 中级工 (4) → to_level 3: 高级工.
    proposed(out[5], "第4-10名", "intermediate", "senior", 4, 3)
    # rank 6, currently 高级工 (3) → already held, next level 2, cap_level 2 allows it: 技师.
    proposed(out[6], "第4-10名", "senior", "technician", 3, 2)
    # rank 11: not in a rank band; floor(12 × 30 / 100) = 3, so 前30% holds ranks 1..3 only.
    not_eligible(out[11], "no_band")
    assert (out[11]["from_grade"], out[11]["from_level"]) == ("intermediate", 4)
    not_eligible(out[12], "no_band")
    # No grade counts as below level 5: rank 7 with no grade → 高级工.
    proposed(out[7], "第4-10名", None, "senior", None, 3)


def test_rank_one_with_total_59_99_is_below_min_total(client, admin):
    contest = promotion_contest(client, admin, ["59.99", "50.00"], grades={1: "senior"})
    out = contest.outcomes()
    assert out[1]["rank"] == 1
    not_eligible(out[1], "below_min_total")
    assert (out[1]["from_grade"], out[1]["from_level"]) == ("senior", 3)
    not_eligible(out[2], "below_min_total")


def test_exactly_the_min_total_is_enough(client, admin):
    out = promotion_contest(client, admin, ["60.00", "59.99"]).outcomes()
    proposed(out[1], "前3名", None, "technician", None, 2)
    not_eligible(out[2], "below_min_total")


# --- bands ----------------------------------------------------------------------------------------------

def test_ties_at_a_rank_band_boundary_are_all_in(client, admin):
    policy = {"bands": [{"name": "前2名", "ranks": [1, 2], "action": {"to_level": 3}}]}
    out = promotion_contest(client, admin, [90, 80, 80, 80, 70], policy=policy).outcomes()
    assert [out[b]["rank"] for b in range(1, 6)] == [1, 2, 2, 2, 5]
    for bib in (1, 2, 3, 4):  # the band holds four people although it names two ranks
        proposed(out[bib], "前2名", None, "senior", None, 3)
    not_eligible(out[5], "no_band")


def test_ties_at_a_top_percent_boundary_are_all_in(client, admin):
    policy = {"bands": [{"name": "前40%", "top_percent": 40, "action": {"raise_levels": 1}}]}
    out = promotion_contest(client, admin, [90, 80, 80, 80, 70], policy=policy).outcomes()
    for bib in (1, 2, 3, 4):  # floor(5 × 40 / 100) = 2: rank 2 is in, shared by three
        proposed(out[bib], "前40%", None, "junior", None, 5)
    not_eligible(out[5], "no_band")


def test_top_percent_floors_and_counts_ranked_competitors_only(client, admin):
    """N = 7 ranked (an absent competitor is not counted): floor(7 × 50 / 100) = 3."""
    policy = {"bands": [{"name": "前50%", "top_percent": 50, "action": {"raise_levels": 1}}]}
    out = promotion_contest(client, admin, [90, 89, 88, 87, 86, 85, 84, 95], policy=policy,
                            statuses={8: "absent"}).outcomes()
    for bib in (1, 2, 3):
        proposed(out[bib], "前50%", None, "junior", None, 5)
    not_eligible(out[4], "no_band")  # with N = 8 it would be in
    assert out[8]["rank"] is None
    not_eligible(out[8], "not_ranked")


def test_top_percent_floor_can_leave_a_band_empty(client, admin):
    policy = {"bands": [{"name": "前10%", "top_percent": 10, "action": {"raise_levels": 1}}]}
    out = promotion_contest(client, admin, [90, 80, 70], policy=policy).outcomes()  # floor(0.3) = 0
    assert [out[b]["reason"] for b in (1, 2, 3)] == ["no_band"] * 3


def test_the_first_matching_band_in_list_order_wins(client, admin):
    policy = {"bands": [{"name": "前50%", "top_percent": 50, "action": {"raise_levels": 1}},
                        {"name": "第1名", "ranks": [1, 1], "action": {"to_level": 1}}]}
    out = promotion_contest(client, admin, [90, 80], policy=policy).outcomes()
    proposed(out[1], "前50%", None, "junior", None, 5)


# --- actions and caps -----------------------------------------------------------------------------------

def test_caps(client, admin):
    policy = {"bands": [
        {"name": "前3名", "ranks": [1, 3], "action": {"raise_levels": 2}, "cap_level": 3},
        {"name": "第4-5名", "ranks": [4, 5], "action": {"to_level": 2, "if_held": "next_level"}},
    ]}
    grades = {1: "intermediate", 2: "senior", 4: "senior_technician", 5: "technician"}
    out = promotion_contest(client, admin, [95, 90, 85, 80, 75], policy=policy, grades=grades).outcomes()
    proposed(out[1], "前3名", "intermediate", "senior", 4, 3)  # 4 − 2 = 2, lowered to cap_level 3
    not_eligible(out[2], "capped", "前3名")  # 3 − 2 = 1 → cap 3: not above the current grade
    assert (out[2]["from_grade"], out[2]["from_level"]) == ("senior", 3)
    proposed(out[3], "前3名", None, "intermediate", None, 4)  # no level (6) − 2 = 4
    not_eligible(out[4], "capped", "第4-5名")  # holds level 1: next level 0 is lowered to level 1
    proposed(out[5], "第4-5名", "technician", "senior_technician", 2, 1)


def test_already_at_level_with_if_held_none(client, admin):
    policy = {"bands": [{"name": "前3名", "ranks": [1, 3], "action": {"to_level": 3, "if_held": "none"}}]}
    out = promotion_contest(client, admin, [95, 90, 85], policy=policy,
                            grades={1: "senior", 2: "technician", 3: "intermediate"}).outcomes()
    not_eligible(out[1], "already_at_level", "前3名")
    not_eligible(out[2], "already_at_level", "前3名")
    proposed(out[3], "前3名", "intermediate", "senior", 4, 3)


def test_level_not_offered(client, admin):
    """The occupation offers levels 5..3 only: a target of level 2 is not offered."""
    from competition.extensions import db
    from competition.models import Occupation

    contest = prepare_contest(client, admin, [95, 90, 85, 80], grades={1: "senior", 4: "intermediate"})
    with client.application.app_context():
        occupation = db.session.query(Occupation).filter_by(code="6-31-01-03").one()
        occupation.levels = [5, 4, 3]
        db.session.commit()
    assert contest.setup.transition("final").status_code == 200
    out = contest.outcomes()
    not_eligible(out[1], "level_not_offered", "前3名")
    not_eligible(out[2], "level_not_offered", "前3名")
    proposed(out[4], "第4-10名", "intermediate", "senior", 4, 3)


# --- eligibility ------------------------------------------------------------------------------------------

def test_students_without_student_bands_and_kind_not_eligible(client, admin):
    # The spec's policy: employees only.
    out = promotion_contest(client, admin, [95, 90, 85], students=[1]).outcomes()
    not_eligible(out[1], "kind_not_eligible")
    proposed(out[2], "前3名", None, "technician", None, 2)  # ranks stay the whole contest's ranks
    assert out[2]["rank"] == 2
    # Both kinds eligible and no student_bands: students are matched against `bands`.
    policy = {**POLICY, "eligible_kinds": ["employee", "student"]}
    out = promotion_contest(client, admin, [95, 90, 85], students=[1], policy=policy).outcomes()
    proposed(out[1], "前3名", None, "technician", None, 2)


def test_students_with_student_bands(client, admin):
    """Tianjin city class 1 (a ready policy): top 10 → level 2 (holders → 1); students → level 3."""
    policy = get_ready_policy("tianjin-city-class-1").to_dict()["policy"]
    out = promotion_contest(client, admin, [95, 90, 85, 80], students=[2, 3], policy=policy,
                            grades={3: "senior", 4: "technician"}).outcomes()
    proposed(out[1], "前10名", None, "technician", None, 2)
    proposed(out[2], "前10名（在校学生）", None, "senior", None, 3)
    not_eligible(out[3], "already_at_level", "前10名（在校学生）")
    proposed(out[4], "前10名", "technician", "senior_technician", 2, 1)


def test_not_ranked_comes_first(client, admin):
    out = promotion_contest(client, admin, [95, 40, 85], students=[3],
                            statuses={2: "disqualified", 3: "withdrawn"}).outcomes()
    proposed(out[1], "前3名", None, "technician", None, 2)
    not_eligible(out[2], "not_ranked")
    not_eligible(out[3], "not_ranked")  # before kind_not_eligible
    assert out[2]["rank"] is None and out[3]["rank"] is None


# --- grade schemes ----------------------------------------------------------------------------------------

SUB_GRADES = [
    {"code": "apprentice", "name": "学徒工", "national_level": None},
    {"code": "junior", "name": "初级工", "national_level": 5},
    {"code": "intermediate", "name": "中级工", "national_level": 4},
    {"code": "senior", "name": "高级工", "national_level": 3},
    {"code": "tech_1", "name": "技师一档", "national_level": 2},
    {"code": "tech_2", "name": "技师二档", "national_level": 2},
    {"code": "senior_tech", "name": "高级技师", "national_level": 1},
    {"code": "special", "name": "特级技师", "national_level": 1, "appointed_only": True},
    {"code": "chief", "name": "首席技师", "national_level": 1, "appointed_only": True},
]


def test_sub_grade_schemes(client, admin):
    policy = {"bands": [
        {"name": "第1名", "ranks": [1, 1], "action": {"to_level": 2}},
        {"name": "第2-3名", "ranks": [2, 3], "action": {"raise_grades": 1}},
        {"name": "第4名", "ranks": [4, 4], "action": {"raise_grades": 2}, "cap_level": 2},
        {"name": "第5名", "ranks": [5, 5], "action": {"raise_grades": 1}},
    ]}
    grades = {1: "senior", 2: "tech_1", 3: "senior_tech", 4: "tech_1", 5: "apprentice"}
    contest = promotion_contest(client, admin, [95, 90, 85, 80, 75], policy=policy, grades=grades,
                                schemes=SUB_GRADES)
    out = contest.outcomes()
    proposed(out[1], "第1名", "senior", "tech_1", 3, 2)  # the entry grade of level 2
    proposed(out[2], "第2-3名", "tech_1", "tech_2", 2, 2)  # one grade up, same national level
    not_eligible(out[3], "capped", "第2-3名")  # above 高级技师 only appointed grades: it stays
    proposed(out[4], "第4名", "tech_1", "tech_2", 2, 2)  # 高级技师 is above cap_level 2: highest grade of 2
    proposed(out[5], "第5名", "apprentice", "junior", None, 5)  # a grade without a level: first levelled grade
    detail = client.get(f"/api/v1/promotions/{out[1]['id']}", headers=contest.setup.organizer.headers).get_json()
    assert detail["to_grade_name"] == "技师一档" and detail["scheme_version"] == 1
    assert detail["from_text"] == "高级工 (三级/高级工)" and detail["to_text"] == "技师一档 (二级/技师)"


def test_an_employer_without_a_scheme_uses_the_eight_grade_template(client, admin):
    contest = promotion_contest(client, admin, [95, 90], schemes=False)
    out = contest.outcomes()
    proposed(out[1], "前3名", None, "technician", None, 2)
    detail = client.get(f"/api/v1/promotions/{out[1]['id']}", headers=contest.setup.organizer.headers).get_json()
    assert detail["scheme_version"] is None and detail["to_grade_name"] == "技师"


# --- team events ------------------------------------------------------------------------------------------

def test_team_members_get_their_own_outcomes_with_the_team_rank(client, admin):
    """Three teams of two; N counts teams (3, not 6): floor(3 × 50 / 100) = 1."""
    policy = {"eligible_kinds": ["employee"],
              "bands": [{"name": "前50%", "top_percent": 50, "action": {"to_level": 3}}]}
    contest = promotion_contest(client, admin, [90, 80, 70], policy=policy, team_size=2,
                                member_grades={(1, 0): "intermediate", (1, 1): "technician"})
    rows = contest.promotions()
    assert len(rows) == 6
    lead, mate = contest.outcome(1, 0), contest.outcome(1, 1)
    assert lead["competitor_id"] == mate["competitor_id"] == contest.setup.competitor_id(1)
    assert lead["rank"] == mate["rank"] == 1
    proposed(lead, "前50%", "intermediate", "senior", 4, 3)
    proposed(mate, "前50%", "technician", "senior_technician", 2, 1)  # own current level: holds 3 → next
    for member in (0, 1):
        not_eligible(contest.outcome(2, member), "no_band")


def test_team_member_eligibility_is_their_own(client, admin):
    from tests.promotion_fixtures import set_person

    contest = prepare_contest(client, admin, [90, 80], team_size=2)
    set_person(client.application, contest.person(1, 1), kind="student")
    assert contest.setup.transition("final").status_code == 200
    proposed(contest.outcome(1, 0), "前3名", None, "technician", None, 2)
    not_eligible(contest.outcome(1, 1), "kind_not_eligible")


# --- once per year ------------------------------------------------------------------------------------------

def test_once_per_year_across_two_contests(client, admin):
    first = promotion_contest(client, admin, [95, 90, 85], grades={1: "senior"})
    assert first.confirm(1).status_code == 200
    people = [first.person(1), first.person(2), first.person(3)]
    second = contest_with_people(client, admin, first.setup.organizer, people, [95, 90, 85])
    out = promotions_of(client, second, first.setup.organizer)
    not_eligible(out[people[0]], "already_promoted_this_year")
    assert out[people[0]]["rank"] == 1 and out[people[0]]["from_grade"] == "technician"  # the new grade
    proposed(out[people[1]], "前3名", None, "technician", None, 2)  # only proposed: does not count
    # A policy without once_per_year does not look back.
    third = contest_with_people(client, admin, first.setup.organizer, people, [95, 90, 85],
                                policy={**POLICY, "once_per_year": False}, name="第三场")
    out = promotions_of(client, third, first.setup.organizer)
    proposed(out[people[0]], "前3名", "technician", "senior_technician", 2, 1)


def test_confirming_a_second_promotion_in_the_same_year_is_refused(client, admin):
    first = promotion_contest(client, admin, [95, 90], grades={1: "intermediate"})
    person = first.person(1)
    second = contest_with_people(client, admin, first.setup.organizer, [person], [95],
                                 name="第二场")
    out = promotions_of(client, second, first.setup.organizer)
    proposed(out[person], "前3名", "intermediate", "technician", 4, 2)  # nothing confirmed yet
    assert first.confirm(1).status_code == 200
    hr = first.hr_of(1)
    response = client.post(f"/api/v1/promotions/{out[person]['id']}/confirm", json={"version": out[person]["version"]},
                           headers=hr.headers)
    body = assert_error(response, 409)
    assert "once_per_year" in body["errors"] and "one per person per year" in body["message"]
    assert promotions_of(client, second, first.setup.organizer)[person]["status"] == "proposed"
    # It can still be rejected.
    response = client.post(f"/api/v1/promotions/{out[person]['id']}/reject",
                           json={"version": out[person]["version"], "reason": "本年度已晋升"}, headers=hr.headers)
    assert response.status_code == 200 and response.get_json()["status"] == "rejected"


def test_once_per_year_takes_the_year_in_the_contest_time_zone(client, admin):
    """A promotion confirmed 31 Dec 17:00 UTC is 1 Jan 01:00 in Asia/Shanghai: the next year."""
    from competition.extensions import db
    from competition.models import Promotion

    first = promotion_contest(client, admin, [95, 90, 85])
    assert first.confirm(1).status_code == 200 and first.confirm(2).status_code == 200
    organizer = first.setup.organizer
    year = datetime.now(ZoneInfo("Asia/Shanghai")).year  # the second contest ends within hours
    ends_at = datetime.now(timezone.utc)
    with client.application.app_context():
        if ends_at.astimezone(ZoneInfo("Asia/Shanghai")).year != year:  # pragma: no cover - at new year
            year += 1
        by_person = {p.person_id: p for p in db.session.query(Promotion).filter_by(contest_id=first.contest_id)}
        by_person[first.person(1)].decided_at = datetime(year - 1, 12, 31, 17, 0, tzinfo=timezone.utc)
        by_person[first.person(2)].decided_at = datetime(year - 1, 12, 31, 15, 59, tzinfo=timezone.utc)
        db.session.commit()
    second = contest_with_people(client, admin, organizer, [first.person(1), first.person(2)], [95, 90],
                                 name="跨年测试")
    out = promotions_of(client, second, organizer)
    not_eligible(out[first.person(1)], "already_promoted_this_year")  # 1 Jan in Shanghai
    assert out[first.person(2)]["status"] == "proposed"  # 31 Dec 23:59 in Shanghai: last year


# --- no policy, reopening ----------------------------------------------------------------------------------

def test_a_contest_without_a_policy_has_no_outcomes(client, admin):
    contest = promotion_contest(client, admin, [95, 90], policy=None)
    assert contest.promotions() == []


def test_reopening_deletes_the_outcomes_and_final_recomputes_them(client, admin):
    contest = promotion_contest(client, admin, [95, 90, 85])
    before = contest.promotions()
    assert len(before) == 3
    response = contest.setup.transition("running_again", reason="成绩录入错误，需更正")
    assert response.status_code == 200, response.get_json()
    assert contest.promotions() == []
    contest.setup.store("3", {"M1": 99})  # the correction changes the order
    contest.setup.lock()
    assert contest.setup.transition("final").status_code == 200
    out = contest.outcomes()
    assert [out[b]["rank"] for b in (1, 2, 3)] == [2, 3, 1]
    assert len(contest.promotions()) == 3


def test_reopening_is_refused_once_a_proposal_is_confirmed(client, admin):
    contest = promotion_contest(client, admin, [95, 90, 85])
    assert contest.confirm(2).status_code == 200
    body = assert_error(contest.setup.transition("running_again", reason="更正"), 409)
    assert "confirmed" in body["message"]
    state = client.get(contest.setup.url, headers=contest.setup.organizer.headers).get_json()["state"]
    assert state == "final"
    assert len(contest.promotions()) == 3


def test_computation_is_audited(client, admin):
    contest = promotion_contest(client, admin, WORKED_TOTALS, grades=WORKED_GRADES)
    entries = client.get(f"/api/v1/audit?contest_id={contest.contest_id}", headers=admin.headers).get_json()
    computed = [e for e in entries if e["action"] == "promotions.compute"]
    assert len(computed) == 1
    assert computed[0]["after"]["proposed"] == 10 and computed[0]["after"]["not_eligible"] == 2
    assert computed[0]["after"]["ranked"] == 12
    assert client.get("/api/v1/audit/verify", headers=admin.headers).get_json()["ok"] is True


def test_who_may_list_outcomes(client, admin):
    contest = promotion_contest(client, admin, [95, 90, 85, 80])
    url = f"/api/v1/contests/{contest.contest_id}/promotions"
    assert len(contest.promotions(admin)) == 4
    mine = contest.promotions(contest.hr_of(1))
    assert {r["person_id"] for r in mine} == {contest.person(1), contest.person(3)}
    assert {r["person_id"] for r in contest.promotions(contest.hr_of(2))} == {contest.person(2), contest.person(4)}
    assert_error(client.get(url), 401)
    assert_error(client.get(url, headers=contest.setup.chief.headers), 403)
    stranger = new_account(client, admin, "judge")
    assert_error(client.get(url, headers=stranger.headers), 403)
    assert_error(client.get("/api/v1/contests/999999/promotions", headers=contest.hr_of(1).headers), 404)


def test_a_grade_outside_the_employers_scheme_blocks_finalisation(client, admin):
    """Cannot happen through the API (a held grade is never removed); if the data says otherwise,
    finalising is refused with the people named rather than computing wrong promotions."""
    from tests.promotion_fixtures import give_grade

    contest = prepare_contest(client, admin, [95, 90])
    give_grade(client.application, contest.person(1), "foreman")
    body = assert_error(contest.setup.transition("final"), 409, field="grades")
    assert "foreman" in body["errors"]["grades"][0]
    state = client.get(contest.setup.url, headers=contest.setup.organizer.headers).get_json()["state"]
    assert state == "running" and contest.promotions() == []
