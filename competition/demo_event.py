"""The demo event (events.md) that `make run` loads next to the demo contest: 2026年辽宁省职业技能大赛
（示例）, three contests in different states, so the event page, its medal table and its rotating big
screen have something to show at once:

- the demo electrician contest (running, provincial awards 10/20/30 %),
- an individual 选拔赛 (final, national medals + 优胜奖 top half: awards decided, in the medal table),
- a team contest of two-person teams whose members come from different enterprises (provisional,
  awards by ranks, decided when it becomes final).

Everything goes through the services, like the demo contest itself (competition.demo).
"""
from __future__ import annotations

import random
from datetime import timedelta

from competition import clock
from competition.demo_marks import SCHEME, open_slots, plausible, skill_of
from competition.domain.awards import READY_AWARD_SCHEMES, awards_to_dict
from competition.extensions import db
from competition.models import Contest, User
from competition.services import contest_scheme, contest_settings, entries, events, lifecycle, marking, standings

EVENT_NAME = "2026年辽宁省职业技能大赛（示例）"


def scheme_awards(key: str) -> list[dict]:
    return awards_to_dict(READY_AWARD_SCHEMES[key][2])


def load_event(main: Contest, organizer: User, judges: list[User], person_ids: list[tuple[int, int]],
               rng: random.Random) -> None:
    """Create the event around the running demo contest `main` (judges[-1] is the chief judge)."""
    now = clock.now().replace(microsecond=0)
    today = now.date()
    event = events.create({"name": EVENT_NAME, "starts_on": today - timedelta(days=1),
                           "ends_on": today + timedelta(days=1), "timezone": "Asia/Shanghai"})
    event.is_demo = True
    base = {"occupation_code": "6-31-01-03", "tier": "provincial_class_2", "timezone": "Asia/Shanghai",
            "starts_at": now - timedelta(days=1), "ends_at": now - timedelta(hours=20), "visibility": "live",
            "precision": 2, "blind": False, "appeal_window_minutes": 0, "tie_breakers": [],
            "promotion_policy": None}
    qualifier = contest_settings.create({**base, "name": "电工选拔赛（示例）", "team_size": 1,
                                 "awards": scheme_awards("national")}, organizer)
    team = contest_settings.create({**base, "name": "电工团体赛（示例）", "team_size": 2, "appeal_window_minutes": 120,
                            "starts_at": now - timedelta(hours=6), "ends_at": now - timedelta(hours=1),
                            "awards": scheme_awards("enterprise")}, organizer)
    for contest in (qualifier, team):
        contest.is_demo = True
        contest_scheme.set_scheme(contest, SCHEME)
        for judge in judges:
            entries.add_judge(contest, {"user_id": judge.id, "chief": judge is judges[-1], "aspects": "all"})
    chosen = rng.sample(person_ids, 12)
    for bib, (person_id, _enterprise) in enumerate(chosen, start=1):
        entries.add_competitor(qualifier, {"person_id": person_id, "bib": f"{bib:02d}"})
    by_enterprise: dict[int, list[int]] = {}
    for person_id, enterprise_id in person_ids:
        by_enterprise.setdefault(enterprise_id, []).append(person_id)
    groups = list(by_enterprise.values())
    for n in range(6):  # each team: members of two different enterprises
        members = [groups[n % len(groups)].pop(), groups[(n + 1) % len(groups)].pop()]
        entries.add_competitor(team, {"member_ids": members, "team_name": f"示例代表队{n + 1}",
                                       "bib": f"T{n + 1}"})
    for contest, to in ((qualifier, "final"), (team, "provisional")):
        lifecycle.transition(contest, "running", None)
        _mark_everything(contest, judges, rng)
        lifecycle.transition(contest, to, None)
    events.set_contests(event, [main.id, qualifier.id, team.id])


def _mark_everything(contest: Contest, judges: list[User], rng: random.Random) -> None:
    """Every aspect of every competitor marked (respecting 回避), then every module locked."""
    by_id = {judge.id: judge for judge in judges}
    for judge_id, competitor_id, aspect in open_slots(contest, list(by_id)):
        marking.put_mark(contest, by_id[judge_id], competitor_id=competitor_id, aspect_code=aspect["code"],
                         value=plausible(aspect, skill_of(competitor_id), rng), expected_version=None)
    for _, module in standings.scheme_of(contest).modules():
        marking.set_lock(contest, judges[-1], module.code, locked=True, reason=None)
    db.session.flush()
