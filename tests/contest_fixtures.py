"""Shared helpers for contest tests: a contest with a scheme, competitors and judges built through the
API, plus direct model helpers to store marks and lock modules (for tests that do not go through the
marks API).

    setup = setup_contest(client, admin)                  # draft; setup_contest(..., start=True): running
    setup.store("1", {"T1.1": 80, "A1": 10, "A2": [3, 3, 3], "B1": 20, "B2": [14, 14, 14]})
    setup.lock()                                          # every module of the scheme
    setup.transition("final")                             # -> the response

Master data (enterprises, the occupation, people) is created straight through the models.
"""
from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from tests.support import PASSWORD, Account

ELECTRICIAN = {"code": "6-31-01-03", "edition": "2022", "name": "电工", "levels": [5, 4, 3, 2, 1]}

# Theory 30 % (one measurement /100) and practical 70 % (module A: measurement /10, judgement /6;
# module B: measurement /20, mean panel of 3 /14): practical max 50.
SMALL_SCHEME: dict[str, Any] = {"components": [
    {"code": "T", "name": "理论知识", "weight": "30", "modules": [
        {"code": "T1", "name": "理论考试", "aspects": [
            {"code": "T1.1", "name": "理论考试成绩", "type": "measurement", "max_mark": "100"}]}]},
    {"code": "P", "name": "操作技能", "weight": "70", "modules": [
        {"code": "A", "name": "模块A 电气安装", "aspects": [
            {"code": "A1", "name": "元器件布置", "type": "measurement", "max_mark": "10"},
            {"code": "A2", "name": "接线工艺", "type": "judgement", "max_mark": "6"}]},
        {"code": "B", "name": "模块B 调试与排故", "aspects": [
            {"code": "B1", "name": "功能调试", "type": "measurement", "max_mark": "20"},
            {"code": "B2", "name": "安全文明生产", "type": "panel", "max_mark": "14", "panel_size": 3,
             "aggregate": "mean"}]}]},
]}
# Full marks for SMALL_SCHEME (total 100).
SMALL_FULL_MARKS: dict[str, Any] = {"T1.1": 100, "A1": 10, "A2": [3, 3, 3], "B1": 20, "B2": [14, 14, 14]}

# One component of weight 100 whose aspects sum to 100: total = raw marks (the WorldSkills shape).
WORLDSKILLS_SCHEME: dict[str, Any] = {"components": [
    {"code": "C", "name": "综合", "weight": "100", "modules": [
        {"code": "M", "name": "模块M", "aspects": [
            {"code": "M1", "name": "成绩", "type": "measurement", "max_mark": "100"}]}]}]}

_serial = itertools.count(1)


def iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat()


def contest_body(occupation_code: str = ELECTRICIAN["code"], **overrides: Any) -> dict[str, Any]:
    """A valid POST /contests body (starts an hour ago, ends in eight hours)."""
    now = datetime.now(timezone.utc)
    body = {"name": "2026年电工职业技能竞赛", "occupation_code": occupation_code, "tier": "enterprise",
            "starts_at": iso(now - timedelta(hours=1)), "ends_at": iso(now + timedelta(hours=8))}
    body.update(overrides)
    return body


# --- master data straight through the models -------------------------------------------------------------

def ensure_occupation(app, occupation: Mapping[str, Any] = ELECTRICIAN) -> str:
    from competition.extensions import db
    from competition.models import Occupation

    with app.app_context():
        if db.session.query(Occupation).filter_by(code=occupation["code"]).first() is None:
            db.session.add(Occupation(**occupation))
            db.session.commit()
    return occupation["code"]


def make_enterprise(app, name: str | None = None) -> int:
    from competition.extensions import db
    from competition.models import Enterprise

    n = next(_serial)
    with app.app_context():
        enterprise = Enterprise(code=f"CE{n}", name=name or f"示范企业{n}", site_code=f"{n % 1000000:06d}")
        db.session.add(enterprise)
        db.session.commit()
        return enterprise.id


def make_person(app, enterprise_id: int, name: str, kind: str = "employee") -> int:
    from competition.domain.identity import id_check_char
    from competition.extensions import db
    from competition.models import Person

    n = next(_serial)
    first17 = f"210102{19800101 + n % 28:08d}{n % 1000:03d}"
    with app.app_context():
        person = Person(enterprise_id=enterprise_id, person_no=f"P{n:05d}", name=name, id_type="居民身份证",
                        id_number=first17 + id_check_char(first17), kind=kind)
        db.session.add(person)
        db.session.commit()
        return person.id


# --- accounts and contests through the API -------------------------------------------------------------

def new_account(client, admin: Account, role: str, *, enterprise_id: int | None = None) -> Account:
    """A user created with POST /users and signed in with POST /auth/token."""
    username = f"{role}_c{next(_serial)}"
    body = {"username": username, "password": PASSWORD, "role": role, "display_name": username}
    if enterprise_id is not None:
        body["enterprise_id"] = enterprise_id
    response = client.post("/api/v1/users", json=body, headers=admin.headers)
    assert response.status_code == 201, response.get_json()
    user = response.get_json()
    response = client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD})
    assert response.status_code == 201, response.get_json()
    return Account(user["id"], username, role, response.get_json()["token"], enterprise_id)


def create_contest(client, organizer: Account, **overrides: Any) -> dict[str, Any]:
    response = client.post("/api/v1/contests", json=contest_body(**overrides), headers=organizer.headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


@dataclass
class ContestSetup:
    """What setup_contest built. `judges[0]` is the chief judge; every judge is assigned "all"."""

    client: Any
    contest_id: int
    organizer: Account
    judges: list[Account]
    competitors: list[dict[str, Any]]  # POST /competitors answers, in bib order "1", "2", …
    people: list[int]
    enterprises: list[int]
    occupation_code: str
    scheme: dict[str, Any] | None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def app(self):
        return self.client.application

    @property
    def chief(self) -> Account:
        return self.judges[0]

    @property
    def url(self) -> str:
        return f"/api/v1/contests/{self.contest_id}"

    def competitor_id(self, bib: str | int) -> int:
        return next(c["id"] for c in self.competitors if c["bib"] == str(bib))

    def store(self, competitor: str | int, values: Mapping[str, Any], *, at: datetime | None = None) -> None:
        """Store marks via the models for the competitor with this bib (see store_marks)."""
        store_marks(self.app, self.contest_id, self.competitor_id(competitor), values,
                    [j.id for j in self.judges], at=at)

    def lock(self, codes: Iterable[str] | None = None) -> None:
        lock_modules(self.app, self.contest_id, codes, user_id=self.organizer.id)

    def transition(self, to: str, reason: str | None = None, account: Account | None = None):
        body = {"to": to} if reason is None else {"to": to, "reason": reason}
        return self.client.post(f"{self.url}/transition", json=body, headers=(account or self.organizer).headers)

    def standings(self, account: Account | None = None, view: str = "public") -> dict[str, Any]:
        headers = account.headers if account else {}
        response = self.client.get(f"{self.url}/standings?view={view}", headers=headers)
        assert response.status_code == 200, response.get_json()
        return response.get_json()


def setup_contest(client, admin: Account, *, scheme: Mapping[str, Any] | None = SMALL_SCHEME,
                  competitors: int = 3, judges: int = 3, start: bool = False, team_size: int = 1,
                  names: Sequence[str] = ("张三", "李四", "王五", "赵六", "钱七", "孙八", "周九", "吴十"),
                  organizer: Account | None = None, **contest_fields: Any) -> ContestSetup:
    """A contest built through the API: an organizer, the electrician occupation, two enterprises,
    `competitors` entries with bibs "1", "2", … (alternating employers; teams of `team_size` people;
    marking numbers "M01", …), `judges` judges (enterprise-less, assigned "all", the first one chief),
    the marking scheme, and `start=True` to move it to running. `contest_fields` go to POST /contests."""
    app = client.application
    occupation_code = ensure_occupation(app)
    enterprises = [make_enterprise(app), make_enterprise(app)]
    organizer = organizer or new_account(client, admin, "organizer")
    contest = create_contest(client, organizer, occupation_code=occupation_code, team_size=team_size,
                             **contest_fields)
    url = f"/api/v1/contests/{contest['id']}"
    if scheme is not None:
        response = client.put(f"{url}/marking-scheme", json=scheme, headers=organizer.headers)
        assert response.status_code == 200, response.get_json()
    people: list[int] = []
    entries = []
    person_names = itertools.cycle(names)
    for n in range(1, competitors + 1):
        employer = enterprises[(n - 1) % 2]
        members = [make_person(app, employer, next(person_names)) for _ in range(team_size)]
        people += members
        body: dict[str, Any] = {"bib": str(n), "marking_no": f"M{n:02d}"}
        if team_size == 1:
            body["person_id"] = members[0]
        else:
            body.update(member_ids=members, team_name=f"代表队{n}")
        response = client.post(f"{url}/competitors", json=body, headers=organizer.headers)
        assert response.status_code == 201, response.get_json()
        entries.append(response.get_json())
    accounts = []
    for n in range(judges):
        judge = new_account(client, admin, "judge")
        response = client.post(f"{url}/judges", json={"user_id": judge.id, "chief": n == 0, "aspects": "all"},
                               headers=organizer.headers)
        assert response.status_code == 201, response.get_json()
        accounts.append(judge)
    if start:
        response = client.post(f"{url}/transition", json={"to": "running"}, headers=organizer.headers)
        assert response.status_code == 200, response.get_json()
    return ContestSetup(client, contest["id"], organizer, accounts, entries, people, enterprises, occupation_code,
                        dict(scheme) if scheme is not None else None)


# --- marks and locks straight through the models ----------------------------------------------------------

def store_marks(app, contest_id: int, competitor_id: int, values: Mapping[str, Any], judge_ids: Sequence[int],
                *, at: datetime | None = None) -> None:
    """Store values as the marks API would (Mark + MarkRevision rows), then recompute the standings.

    `values` maps an aspect code to one value (a measurement: the shared slot, entered by the first
    judge) or a list (judgement/panel: one value per judge, in `judge_ids` order). An existing value
    is replaced (version + 1). `at` dates the revisions (freeze tests)."""
    from competition.extensions import db
    from competition.models import Competitor, Contest, Mark, MarkRevision
    from competition.models.marking import SHARED_SLOT
    from competition.services import boards, standings

    at = at or datetime.now(timezone.utc)
    with app.app_context():
        contest = db.session.get(Contest, contest_id)
        scheme = standings.scheme_of(contest)
        for aspect_code, given in values.items():
            aspect = scheme.aspect(aspect_code)
            if aspect.type == "measurement":
                entries = [(SHARED_SLOT, judge_ids[0], given)]
            else:
                entries = [(judge_ids[i], judge_ids[i], v) for i, v in enumerate(given)]
            for slot, judge_id, value in entries:
                mark = db.session.query(Mark).filter_by(competitor_id=competitor_id, aspect_code=aspect_code,
                                                        slot=slot).one_or_none()
                if mark is None:
                    mark = Mark(contest_id=contest_id, competitor_id=competitor_id, aspect_code=aspect_code,
                                slot=slot, judge_id=judge_id, value=Decimal(str(value)), version=1, updated_at=at)
                    db.session.add(mark)
                else:
                    mark.value, mark.version, mark.judge_id, mark.updated_at = (Decimal(str(value)),
                                                                                mark.version + 1, judge_id, at)
                db.session.flush()
                db.session.add(MarkRevision(mark_id=mark.id, contest_id=contest_id, competitor_id=competitor_id,
                                            aspect_code=aspect_code, slot=slot, judge_id=judge_id,
                                            value=mark.value, version=mark.version, at=at))
        db.session.flush()
        standings.recompute_competitor(contest, db.session.get(Competitor, competitor_id))
        boards.touch(contest_id)
        db.session.commit()


def lock_modules(app, contest_id: int, codes: Iterable[str] | None = None, *, user_id: int | None = None) -> None:
    """Lock the given modules (default: every module of the scheme) through the models."""
    from competition.extensions import db
    from competition.models import Contest, ModuleLock
    from competition.services import standings

    with app.app_context():
        contest = db.session.get(Contest, contest_id)
        if codes is None:
            codes = [m.code for _, m in standings.scheme_of(contest).modules()]
        for code in codes:
            lock = db.session.get(ModuleLock, (contest_id, code))
            if lock is None:
                db.session.add(ModuleLock(contest_id=contest_id, module_code=code, locked=True, changed_by=user_id))
            else:
                lock.locked = True
        db.session.commit()


def set_state(app, contest_id: int, state: str, **fields: Any) -> None:
    """Force a contest's state (and e.g. provisional_at) through the models, bypassing the rules."""
    from competition.extensions import db
    from competition.models import Contest, ContestState

    with app.app_context():
        contest = db.session.get(Contest, contest_id)
        contest.state = ContestState(state)
        for key, value in fields.items():
            setattr(contest, key, value)
        db.session.commit()
