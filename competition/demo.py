"""The demo contest that `make run` loads into an empty database (clearly marked 示例/demo).

Everything is created through the services, exactly as organisers, HR officers and judges would
through the API, so the demo exercises the real rules: an electrician contest (电工 6-31-01-03) with a
theory and a practical component, three modules with measurement, judgement and panel aspects,
24 competitors from three enterprises (one a school, with students), seven judges (one of them
conflicted with a steelworks' competitors), a promotion policy from the library, and marks entered
part of the way, so that the board has something to show; and the demo event around it
(competition.demo_event: three contests in different states, awards and a medal table).
`competition.simulate` then keeps the venue busy through the HTTP API, as the judges' tablets would,
until stopped.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select

from competition import clock, demo_staff
from competition.demo_event import load_event, scheme_awards
from competition.demo_marks import SCHEME, enter_marks
from competition.domain.identity import id_check_char
from competition.domain.policy_library import get_ready_policy
from competition.extensions import db
from competition.models import Enterprise, Role, User
from competition.services import (
    accounts,
    contest_scheme,
    contest_settings,
    entries,
    grade_schemes,
    lifecycle,
    occupations,
    people,
)

DEMO_PASSWORD = "demo-pass-2026"
POLICY = "tianjin-city-class-1"

ENTERPRISES = [
    # code, name, site code, kind of people, grade scheme
    ("DEMO-GRID", "示例·国网辽宁电力有限公司", "210001", "employee", "eight"),
    ("DEMO-STEEL", "示例·鞍山钢铁集团", "210002", "employee", "sublevels"),
    ("DEMO-SCHOOL", "示例·辽宁电力技师学院", "210003", "student", "eight"),
]

SUBLEVEL_SCHEME = [
    {"code": "apprentice", "name": "学徒工", "national_level": None},
    {"code": "junior", "name": "初级工", "national_level": 5},
    {"code": "intermediate", "name": "中级工", "national_level": 4},
    {"code": "senior", "name": "高级工", "national_level": 3},
    {"code": "technician_1", "name": "技师一档", "national_level": 2},
    {"code": "technician_2", "name": "技师二档", "national_level": 2},
    {"code": "senior_technician", "name": "高级技师", "national_level": 1},
    {"code": "chief_technician", "name": "首席技师", "national_level": 1, "appointed_only": True},
]


SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何林高罗郑梁谢宋"
GIVEN = ["建国", "海峰", "志强", "晓东", "丽娜", "伟", "鹏飞", "国庆", "春雷", "雪梅", "宏伟", "立新",
         "文博", "子豪", "俊杰", "思远", "明轩", "浩然", "欣怡", "嘉怡", "宇航", "天佑", "博文", "雨泽"]
GRADES = ["junior", "intermediate", "senior", "intermediate", "senior", "technician", "junior", "senior"]


@dataclass
class DemoAccount:
    username: str
    role: str
    note: str


def database_is_empty() -> bool:
    return db.session.scalar(select(func.count()).select_from(User)) == 0


def _id_number(n: int) -> str:
    first17 = f"2103{n % 90 + 10:02d}{19850101 + (n % 12) * 100 + n % 27 + 1}{n * 7 % 1000:03d}"
    return first17 + id_check_char(first17)


def _user(username: str, role: Role, display: str, enterprise_id: int | None = None) -> User:
    return accounts.create_user(username=username, password=DEMO_PASSWORD, role=role, display_name=display,
                                enterprise_id=enterprise_id)


def _enterprises_and_people(admin: User, made: list[DemoAccount]) -> list[tuple[int, int]]:
    """The three enterprises with their grade schemes, HR officers and people; returns (person id,
    enterprise id) of the people who compete."""
    person_ids: list[tuple[int, int]] = []  # (person id, enterprise id)
    for index, (code, name, site, kind, scheme) in enumerate(ENTERPRISES):
        enterprise = Enterprise(code=code, name=name, cert_prefix="Y", org_code="0000", province_code="21",
                                site_code=site)
        db.session.add(enterprise)
        db.session.flush()
        grade_schemes.replace(enterprise, grade_schemes.template() if scheme == "eight" else SUBLEVEL_SCHEME,
                              user=admin)
        hr = _user(f"demo_hr{index + 1}", Role.HR, f"人力资源 · {name}", enterprise.id)
        made.append(DemoAccount(hr.username, "hr", hr.display_name))
        for n in range(8):
            number = index * 8 + n
            grade = GRADES[n] if kind == "employee" else ("junior" if n % 3 == 0 else None)
            if scheme == "sublevels" and grade == "technician":
                grade = "technician_1"
            person = people.create(enterprise, {
                "person_no": f"{code[5:]}{n + 1:03d}", "name": SURNAMES[number] + GIVEN[number],
                "id_type": "居民身份证", "id_number": _id_number(number), "kind": kind,
                "grades": [{"occupation_code": "6-31-01-03", "grade_code": grade}] if grade else []})
            person_ids.append((person.id, enterprise.id))
        demo_staff.add_staff(enterprise, scheme)  # people at every level for 技能人才结构
    return person_ids


def load(seed: int = 2026) -> list[DemoAccount]:
    """Create the demo; returns the sign-in accounts to print. The caller commits."""
    rng = random.Random(seed)
    occupations.load_file()
    made: list[DemoAccount] = []
    admin = _user("demo_admin", Role.ADMIN, "系统管理员（示例）")
    organizer = _user("demo_organizer", Role.ORGANIZER, "竞赛组织者（示例）")
    made += [DemoAccount("demo_admin", "admin", admin.display_name),
             DemoAccount("demo_organizer", "organizer", organizer.display_name)]

    person_ids = _enterprises_and_people(admin, made)

    now = clock.now().replace(microsecond=0)
    contest = contest_settings.create({
        "name": "2026年辽宁省电工职业技能竞赛（示例）", "occupation_code": "6-31-01-03", "tier": "provincial_class_2",
        "timezone": "Asia/Shanghai", "starts_at": now - timedelta(hours=3), "ends_at": now + timedelta(hours=5),
        "visibility": "live", "precision": 2, "blind": False, "team_size": 1, "appeal_window_minutes": 0,
        "tie_breakers": [{"component": "P"}, {"module": "B"}, {"time_used": "asc"}],
        "promotion_policy": get_ready_policy(POLICY).to_dict()["policy"],
        "awards": scheme_awards("provincial"),
    }, organizer)
    contest.is_demo = True
    contest_scheme.set_scheme(contest, SCHEME)
    rng.shuffle(person_ids)
    for bib, (person_id, _enterprise_id) in enumerate(person_ids, start=1):
        entries.add_competitor(contest, {"person_id": person_id, "bib": f"{bib:02d}",
                                          "station": f"{(bib - 1) // 6 + 1}-{(bib - 1) % 6 + 1}"})
    steel = db.session.scalar(select(Enterprise.id).where(Enterprise.code == "DEMO-STEEL"))
    grid = db.session.scalar(select(Enterprise.id).where(Enterprise.code == "DEMO-GRID"))
    judges = []
    for n in range(1, 7):
        employer = steel if n == 1 else grid if n == 2 else None
        note = "（鞍钢，回避鞍钢选手）" if n == 1 else "（国网，回避国网选手）" if n == 2 else ""
        judge = _user(f"demo_judge{n}", Role.JUDGE, f"裁判{n}{note}", employer)
        entries.add_judge(contest, {"user_id": judge.id, "chief": False, "aspects": "all"})
        judges.append(judge)
        made.append(DemoAccount(judge.username, "judge", judge.display_name))
    chief = _user("demo_chief", Role.JUDGE, "裁判长（示例）")
    entries.add_judge(contest, {"user_id": chief.id, "chief": True, "aspects": "all"})
    judges.append(chief)
    made.append(DemoAccount(chief.username, "judge", "裁判长 chief judge"))
    lifecycle.transition(contest, "running", None)
    enter_marks(contest, judges, rng)
    load_event(contest, organizer, judges, person_ids, rng)  # the demo event around this contest
    return made
