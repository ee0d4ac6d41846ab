"""A small running contest built straight through the models, for marking and live-board tests.

Electrician-style scheme: component P (weight 100) with module A (A1 measurement /5, A2 judgement /2
with 3 judges, A3 trimmed panel /10 with 5 judges) and module B (B1 measurement /3). Competitors c1,
c2 work for enterprise E1 and c3 for E2. Judges j1..j5 are assigned to everything; j3 works for E2
(so conflicted with c3); `narrow` is assigned to B1 only; `chief` is the chief judge.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from tests.support import Account

SCHEME: dict[str, Any] = {"components": [{"code": "P", "name": "操作技能", "weight": "100", "modules": [
    {"code": "A", "name": "模块A 安装", "aspects": [
        {"code": "A1", "name": "接线电阻", "type": "measurement", "max_mark": "5"},
        {"code": "A2", "name": "工艺美观", "type": "judgement", "max_mark": "2"},
        {"code": "A3", "name": "整体质量", "type": "panel", "max_mark": "10", "panel_size": 5,
         "aggregate": "trimmed", "trim": 1},
    ]},
    {"code": "B", "name": "模块B 调试", "aspects": [
        {"code": "B1", "name": "调试时间", "type": "measurement", "max_mark": "3"},
    ]},
]}]}

IDS = ["110105194912310021", "11010519491231002X", "110105195001010015", "110105195001010031"]


@dataclass
class World:
    contest_id: int
    competitors: dict[str, int]
    judges: dict[str, Account]
    organizer: Account
    enterprises: dict[str, int]
    people: dict[str, int] = field(default_factory=dict)

    def put(self, client, judge: str, competitor: str, aspect: str, value, **extra):
        body = {"competitor_id": self.competitors[competitor], "aspect_code": aspect, "value": value, **extra}
        headers = dict(self.judges[judge].headers)
        if "key" in extra:
            headers["Idempotency-Key"] = body.pop("key")
        return client.put(f"/api/v1/contests/{self.contest_id}/marks", json=body, headers=headers)


def build_world(app, make_user, *, state: str = "running", blind: bool = False, visibility: str = "live",
                freeze_at: datetime | None = None, team_size: int = 1, tie_breakers=None,
                extra_competitors: int = 0, scheme: dict[str, Any] | None = None, bib_format: str = "{n}",
                station_format: str | None = None) -> World:
    """`scheme` replaces SCHEME (same codes expected by the judges' assignments); `bib_format` and
    `station_format` shape each competitor's bib and station from its number n (1, 2, …)."""
    from competition.domain.identity import id_check_char
    from competition.extensions import db
    from competition.models import (
        Competitor,
        CompetitorMember,
        Contest,
        ContestJudge,
        ContestState,
        Enterprise,
        Occupation,
        Person,
    )
    from competition.services import boards, standings

    with app.app_context():
        e1 = Enterprise(code="E1", name="国网示范供电公司", site_code="000001")
        e2 = Enterprise(code="E2", name="鞍钢示范分厂", site_code="000002")
        occupation = Occupation(code="6-31-01-03", edition="2022", name="电工", levels=[5, 4, 3, 2, 1])
        db.session.add_all([e1, e2, occupation])
        db.session.flush()
        enterprises = {"E1": e1.id, "E2": e2.id}
        now = datetime.now(timezone.utc)
        contest = Contest(name="2026年电工职业技能竞赛", occupation_id=occupation.id, tier="enterprise",
                          starts_at=now - timedelta(hours=2), ends_at=now + timedelta(hours=6),
                          visibility=visibility, freeze_at=freeze_at, precision=2, blind=blind,
                          team_size=team_size, scheme=scheme or SCHEME, scheme_version=1,
                          tie_breakers=tie_breakers or [], state=ContestState(state))
        db.session.add(contest)
        db.session.flush()
        people, competitors = {}, {}
        employers = {"c1": e1.id, "c2": e1.id, "c3": e2.id}
        names = {"c1": "张三", "c2": "李四", "c3": "王五"}
        surnames = "赵钱孙周吴郑冯陈褚卫蒋沈韩杨朱秦尤许何吕施孔曹严华金魏陶姜"
        given = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚"
        for n in range(extra_competitors):
            key = f"c{n + 4}"
            employers[key] = (e1.id, e2.id)[n % 2]
            names[key] = surnames[n % len(surnames)] + given[(n * 7) % len(given)]
        for n, (key, enterprise_id) in enumerate(employers.items()):
            base = f"210102{19800101 + (n // 28) * 100 + n % 28 + 1}{n % 1000:03d}"
            person = Person(enterprise_id=enterprise_id, person_no=f"P{n + 1:03d}", name=names[key],
                            id_type="居民身份证", id_number=base + id_check_char(base), kind="employee")
            db.session.add(person)
            db.session.flush()
            people[key] = person.id
            competitor = Competitor(contest_id=contest.id, bib=bib_format.format(n=n + 1), marking_no=f"M{90 + n}",
                                    station=station_format.format(n=n + 1) if station_format else None)
            db.session.add(competitor)
            db.session.flush()
            db.session.add(CompetitorMember(contest_id=contest.id, competitor_id=competitor.id,
                                            person_id=person.id))
            competitors[key] = competitor.id
        db.session.commit()
        contest_id = contest.id

    judges = {name: make_user("judge", enterprise_id=enterprises["E2"] if name == "j3" else None)
              for name in ("j1", "j2", "j3", "j4", "j5", "narrow", "chief")}
    organizer = make_user("organizer")
    with app.app_context():
        for name, account in judges.items():
            db.session.add(ContestJudge(contest_id=contest_id, user_id=account.id, chief=name == "chief",
                                        aspects=["B1"] if name == "narrow" else "all",
                                        enterprise_id=account.enterprise_id))
        contest = db.session.get(Contest, contest_id)
        standings.rebuild(contest)
        boards.ensure_views(contest_id)
        db.session.flush()
        boards.publish(contest_id)  # as after registration: the boards start from these rows
        db.session.commit()
    return World(contest_id, competitors, judges, organizer, enterprises, people)
