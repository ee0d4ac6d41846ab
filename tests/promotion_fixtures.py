"""Helpers for the promotion and certificate tests: a contest with a promotion policy taken through the
real path (contest → marks → module locks → final), people with grades and kinds, HR officers.

    contest = promotion_contest(client, admin, totals=[95, 94, 93], grades={1: "senior"})
    contest.outcomes()            # bib -> outcome of GET /contests/{id}/promotions (as the organizer)
    contest.confirm(1)            # POST /promotions/{pid}/confirm as the bib's enterprise's hr

Totals are raw marks of a one-aspect scheme (weight 100, max 100), so a total of 93 ranks as 93.00.
Bibs 1, 3, 5, … work for `enterprises[0]`, bibs 2, 4, 6, … for `enterprises[1]`.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from competition.domain.grades import EIGHT_GRADE_TEMPLATE
from tests.contest_fixtures import WORLDSKILLS_SCHEME, ContestSetup, new_account, setup_contest
from tests.support import Account

POLICY: dict[str, Any] = {
    "min_total": "60.00",
    "eligible_kinds": ["employee"],
    "once_per_year": True,
    "bands": [
        {"name": "前3名", "ranks": [1, 3], "action": {"to_level": 2, "if_held": "next_level"}, "cap_level": 1},
        {"name": "第4-10名", "ranks": [4, 10], "action": {"to_level": 3, "if_held": "next_level"}, "cap_level": 2},
        {"name": "前30%", "top_percent": 30, "action": {"raise_levels": 1}, "cap_level": 3},
    ],
    "student_bands": [],
}
API_FIELDS = {"id", "competitor_id", "person_id", "rank", "band", "status", "reason", "from_grade", "to_grade",
              "from_level", "to_level", "version"}


@dataclass
class PromotionContest:
    setup: ContestSetup
    admin: Account
    hr: dict[int, Account] = field(default_factory=dict)  # enterprise id -> its hr officer

    @property
    def client(self):
        return self.setup.client

    @property
    def contest_id(self) -> int:
        return self.setup.contest_id

    def person(self, bib: int, member: int = 0) -> int:
        team_size = len(self.setup.people) // len(self.setup.competitors)
        return self.setup.people[(bib - 1) * team_size + member]

    def enterprise_of(self, bib: int) -> int:
        return self.setup.enterprises[(bib - 1) % 2]

    def hr_of(self, bib: int) -> Account:
        return self.hr_for(self.enterprise_of(bib))

    def hr_for(self, enterprise_id: int) -> Account:
        if enterprise_id not in self.hr:
            self.hr[enterprise_id] = new_account(self.client, self.admin, "hr", enterprise_id=enterprise_id)
        return self.hr[enterprise_id]

    def promotions(self, account: Account | None = None) -> list[dict[str, Any]]:
        response = self.client.get(f"/api/v1/contests/{self.contest_id}/promotions",
                                   headers=(account or self.setup.organizer).headers)
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    def outcomes(self, account: Account | None = None) -> dict[int, dict[str, Any]]:
        """bib -> outcome (individual events); see `outcome` for team members."""
        by_person = {row["person_id"]: row for row in self.promotions(account)}
        bibs = range(1, len(self.setup.competitors) + 1)
        return {bib: by_person[self.person(bib)] for bib in bibs if self.person(bib) in by_person}

    def outcome(self, bib: int, member: int = 0) -> dict[str, Any]:
        person = self.person(bib, member)
        return next(row for row in self.promotions() if row["person_id"] == person)

    def confirm(self, bib: int, *, member: int = 0, account: Account | None = None, version: int | None = None,
                headers: Mapping[str, str] | None = None):
        row = self.outcome(bib, member)
        account = account or self.hr_of(bib)
        return self.client.post(f"/api/v1/promotions/{row['id']}/confirm",
                                json={"version": row["version"] if version is None else version},
                                headers={**account.headers, **(headers or {})})

    def reject(self, bib: int, reason: str | None = "材料不全", *, account: Account | None = None):
        row = self.outcome(bib)
        body: dict[str, Any] = {"version": row["version"]}
        if reason is not None:
            body["reason"] = reason
        return self.client.post(f"/api/v1/promotions/{row['id']}/reject", json=body,
                                headers=(account or self.hr_of(bib)).headers)


def set_scheme(client, admin: Account, enterprise_id: int, grades: Sequence[Mapping[str, Any]] | None = None) -> None:
    grades = list(grades) if grades is not None else EIGHT_GRADE_TEMPLATE.to_dicts()
    response = client.put(f"/api/v1/enterprises/{enterprise_id}/grade-scheme", json={"grades": grades},
                          headers=admin.headers)
    assert response.status_code == 200, response.get_json()


def give_grade(app, person_id: int, grade_code: str, occupation_code: str = "6-31-01-03") -> None:
    from competition.extensions import db
    from competition.models import Occupation, PersonGrade

    with app.app_context():
        occupation = db.session.query(Occupation).filter_by(code=occupation_code).one()
        held = db.session.query(PersonGrade).filter_by(person_id=person_id, occupation_id=occupation.id).one_or_none()
        if held is None:
            db.session.add(PersonGrade(person_id=person_id, occupation_id=occupation.id, grade_code=grade_code))
        else:
            held.grade_code = grade_code
        db.session.commit()


def set_person(app, person_id: int, **values: Any) -> None:
    from competition.extensions import db
    from competition.models import Person

    with app.app_context():
        person = db.session.get(Person, person_id)
        for key, value in values.items():
            setattr(person, key, value)
        db.session.commit()


def prepare_contest(client, admin: Account, totals: Sequence[Any], *, grades: Mapping[int, str] | None = None,
                    students: Sequence[int] = (), policy: Mapping[str, Any] | None = POLICY, team_size: int = 1,
                    schemes: bool | Sequence[Mapping[str, Any]] = True, statuses: Mapping[int, str] | None = None,
                    member_grades: Mapping[tuple[int, int], str] | None = None,
                    **contest_fields: Any) -> PromotionContest:
    """A running contest with marks stored and modules locked, ready to become final."""
    fields = dict(contest_fields)
    if policy is not None:
        fields["promotion_policy"] = dict(policy)
    setup = setup_contest(client, admin, scheme=WORLDSKILLS_SCHEME, competitors=len(totals), judges=1, start=True,
                          team_size=team_size, **fields)
    contest = PromotionContest(setup, admin)
    app = client.application
    if schemes:
        for enterprise_id in setup.enterprises:
            set_scheme(client, admin, enterprise_id, None if schemes is True else schemes)
    for bib, code in (grades or {}).items():
        for member in range(team_size):
            give_grade(app, contest.person(bib, member), code)
    for (bib, member), code in (member_grades or {}).items():
        give_grade(app, contest.person(bib, member), code)
    for bib in students:
        for member in range(team_size):
            set_person(app, contest.person(bib, member), kind="student")
    for bib, total in enumerate(totals, start=1):
        setup.store(str(bib), {"M1": total})
    for bib, status in (statuses or {}).items():
        response = client.patch(f"{setup.url}/competitors/{setup.competitor_id(bib)}", json={"status": status},
                                headers=setup.organizer.headers)
        assert response.status_code == 200, response.get_json()
    setup.lock()
    return contest


def promotion_contest(client, admin: Account, totals: Sequence[Any], **kwargs: Any) -> PromotionContest:
    """`prepare_contest`, then final (where the outcomes are computed)."""
    contest = prepare_contest(client, admin, totals, **kwargs)
    response = contest.setup.transition("final")
    assert response.status_code == 200, response.get_json()
    return contest


# The worked example of promotion.md: 12 ranked employees; bibs 3 and 4 share rank 3.
WORKED_TOTALS = [95, 94, 93, 93, 91, 90, 89, 88, 87, 86, 85, 84]
WORKED_GRADES = {1: "senior", 2: "technician", 3: "intermediate", 4: "senior", 5: "intermediate", 6: "senior",
                 11: "intermediate"}


def contest_with_people(client, admin: Account, organizer: Account, person_ids: Sequence[int],
                        totals: Sequence[Any], *, policy: Mapping[str, Any] | None = POLICY, final: bool = True,
                        **contest_fields: Any) -> int:
    """Another contest (same occupation) entered by people who already exist, one competitor each,
    taken to final through the API and the models like `promotion_contest`. Returns its id."""
    from tests.contest_fixtures import create_contest, lock_modules, store_marks

    fields = dict(contest_fields)
    if policy is not None:
        fields["promotion_policy"] = dict(policy)
    contest = create_contest(client, organizer, name=fields.pop("name", "2026年电工技能比武（第二场）"), **fields)
    url = f"/api/v1/contests/{contest['id']}"
    assert client.put(f"{url}/marking-scheme", json=WORLDSKILLS_SCHEME, headers=organizer.headers).status_code == 200
    competitor_ids = []
    for n, person_id in enumerate(person_ids, start=1):
        response = client.post(f"{url}/competitors", json={"person_id": person_id, "bib": str(n)},
                               headers=organizer.headers)
        assert response.status_code == 201, response.get_json()
        competitor_ids.append(response.get_json()["id"])
    judge = new_account(client, admin, "judge")
    assert client.post(f"{url}/judges", json={"user_id": judge.id, "aspects": "all"},
                       headers=organizer.headers).status_code == 201
    assert client.post(f"{url}/transition", json={"to": "running"}, headers=organizer.headers).status_code == 200
    for competitor_id, total in zip(competitor_ids, totals):
        store_marks(client.application, contest["id"], competitor_id, {"M1": total}, [judge.id])
    lock_modules(client.application, contest["id"])
    if final:
        response = client.post(f"{url}/transition", json={"to": "final"}, headers=organizer.headers)
        assert response.status_code == 200, response.get_json()
    return contest["id"]


def promotions_of(client, contest_id: int, account: Account) -> dict[int, dict[str, Any]]:
    """person id -> outcome of GET /contests/{id}/promotions."""
    response = client.get(f"/api/v1/contests/{contest_id}/promotions", headers=account.headers)
    assert response.status_code == 200, response.get_json()
    return {row["person_id"]: row for row in response.get_json()}


def template_grades(changes: Mapping[str, Mapping[str, Any]] | None = None,
                    insert_before: Mapping[str, Sequence[Mapping[str, Any]]] | None = None) -> list[dict[str, Any]]:
    """The 新八级 template as PUT accepts it, with `changes` applied to grades by code and the grades of
    `insert_before[code]` put just below that grade (a changed scheme, for a new scheme version)."""
    grades: list[dict[str, Any]] = []
    for grade in EIGHT_GRADE_TEMPLATE.to_dicts():
        grades.extend(dict(g) for g in (insert_before or {}).get(grade["code"], ()))
        grades.append({**grade, **(changes or {}).get(grade["code"], {})})
    return grades


# The audit's reproduction: `technician` moves up to level 1 (renamed 高级技师A), `tech_a` takes level 2.
TECHNICIAN_RAISED = template_grades(
    {"technician": {"name": "高级技师A", "national_level": 1}},
    {"technician": [{"code": "tech_a", "name": "技师A", "national_level": 2}]})
# The other way: `technician` moves down to level 3, `tech_b` takes level 2.
TECHNICIAN_LOWERED = template_grades(
    {"technician": {"name": "高级工二档", "national_level": 3}},
    {"senior_technician": [{"code": "tech_b", "name": "技师B", "national_level": 2}]})


def reveal_bands(client, contest: PromotionContest) -> dict[str, str | None]:
    """Run the whole results ceremony of a final contest: bib -> the `band` of its reveal step."""
    url = f"/api/v1/contests/{contest.contest_id}/reveal"
    headers = contest.setup.organizer.headers
    response = client.post(url + "/start", headers=headers)
    assert response.status_code == 200, response.get_json()
    bands: dict[str, str | None] = {}
    for _ in range(response.get_json()["remaining"]):
        step = client.post(url + "/next", headers=headers)
        assert step.status_code == 200, step.get_json()
        row = step.get_json()
        bands[row["competitor"]["bib"]] = row["band"]
    assert client.post(url + "/next", headers=headers).status_code == 409
    return bands
